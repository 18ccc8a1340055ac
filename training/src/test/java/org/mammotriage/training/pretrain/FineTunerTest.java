package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;

class FineTunerTest {

  @Test
  void shouldWeightPositivesInTheBinaryCrossEntropy() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {0f, 0f, 2f}, new Shape(3, 1));
      NDArray y = m.create(new float[] {1f, 0f, 1f}, new Shape(3, 1));
      NDArray w = m.create(new float[] {2f}, new Shape(1, 1));
      float got = FineTuner.weightedBce(logits, y, w).getFloat();
      // 2·ln2, ln2, 2·ln(1+e^-2) averaged
      double expected = (2 * Math.log(2) + Math.log(2) + 2 * Math.log(1 + Math.exp(-2))) / 3;
      assertThat((double) got).isCloseTo(expected, Offset.offset(1e-5));
    }
  }

  @Test
  void shouldFineTuneAPretrainedEncoderAndKeepTheBestValidationStep(@TempDir Path tmp)
      throws Exception {
    Path archive = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(16, 3).withScale(0.05).withMalignantShare(0.5))
        .generate(archive);
    PretrainData data = PretrainData.read(archive.resolve("manifest.csv"));
    Path model = tmp.resolve("pre");
    Pretrainer.train(
        data,
        PretrainerTest.options(PretrainMethod.MVCLIP, 1, false, tmp.resolve("cache")),
        model,
        l -> {});
    try (NDManager m = NDManager.newBaseManager()) {
      PretrainedModel pm = PretrainedModel.load(model, m);
      ModelConfig c = pm.config();
      Block tower = pm.net().imageTower();
      byte[] before = params(tower);
      ViewImageLoader loader =
          new ViewImageLoader(
                  Preprocessor.defaults(),
                  c.inputHeight(),
                  c.inputWidth(),
                  c.normMean(),
                  c.normStd())
              .withDiskCache(tmp.resolve("cache"))
              .withMemoryCache();

      FineTuner.Result r =
          FineTuner.fineTune(
              tower,
              c.embeddingDim(),
              data,
              loader,
              new FineTuner.Options(4, 8, 1e-3f, 0f, 2, 1L),
              l -> {});

      assertThat(FineTuner.views(data, "val")).isNotEmpty();
      assertThat(r.bestStep()).isIn(0, 2, 4);
      if (r.bestStep() == 0) {
        assertThat(params(tower)).isEqualTo(before);
      } else {
        assertThat(params(tower)).isNotEqualTo(before);
        assertThat(r.valAucBest()).isGreaterThan(r.valAucBefore());
      }
    }
  }

  /**
   * The parameter values only: the serialised form also records the input shapes the block was last
   * initialised with (the batch size), which fine-tuning changes even when it keeps step 0.
   */
  private static byte[] params(Block b) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (var p : b.getParameters().values()) {
        for (float v : p.getArray().toFloatArray()) {
          out.writeFloat(v);
        }
      }
    }
    return bytes.toByteArray();
  }
}
