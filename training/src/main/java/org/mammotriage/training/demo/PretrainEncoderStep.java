package org.mammotriage.training.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.pretrain.PretrainData;
import org.mammotriage.training.pretrain.PretrainedModel;
import org.mammotriage.training.pretrain.Pretrainer;

/** Pretrains the image encoder with Training I's pretraining (CLIP, MV-CLIP or GLAM). */
public final class PretrainEncoderStep implements EncoderStep {
  private final Pretrainer.Options options;

  private PretrainEncoderStep(Pretrainer.Options options) {
    this.options = options;
  }

  public static PretrainEncoderStep of(Pretrainer.Options options) {
    return new PretrainEncoderStep(options);
  }

  /** The cache of working images shared by pretraining and the embedding step. */
  public static Path imageCache(Path workDir) {
    return workDir.resolveSibling("image-cache");
  }

  @Override
  public TrainedEncoder train(
      NDManager manager, Path manifest, Path workDir, Consumer<String> progress)
      throws IOException {
    Pretrainer.Options o =
        new Pretrainer.Options(
            options.method(),
            options.config(),
            options.batchSize(),
            options.maxSteps(),
            options.learningRate(),
            options.weightDecay(),
            options.warmupSteps(),
            options.maskProbability(),
            options.checkpointEvery(),
            options.seed(),
            true,
            imageCache(workDir));
    Pretrainer.Result r = Pretrainer.train(PretrainData.read(manifest), o, workDir, progress);
    PretrainedModel pm = PretrainedModel.load(workDir, manager);
    ModelConfig c = pm.config();
    PretrainMethod m = pm.method();
    return new TrainedEncoder(
        pm.net().imageTower(),
        PretrainedModel.ENCODER_TYPE,
        pm.encoderConfig(),
        c.embeddingDim(),
        c.inputHeight(),
        c.inputWidth(),
        c.normMean(),
        c.normStd(),
        String.format(
            Locale.ROOT,
            "%s%s) pretrained with %s for %d steps (last loss %.3f)",
            c.describeBackbone(),
            c.tokenLayers() > 0 ? ", MV-MLM token head " + c.tokenLayers() + " layer(s)" : "",
            m.id(),
            r.steps(),
            r.lastLoss()));
  }
}
