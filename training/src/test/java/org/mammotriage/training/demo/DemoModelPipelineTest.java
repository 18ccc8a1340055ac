package org.mammotriage.training.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.export.ExamModelGraphs;
import org.mammotriage.training.export.ModelExport;
import org.mammotriage.training.export.ParityCheck;
import org.mammotriage.training.export.TinyModels;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamModelStore;
import org.mammotriage.training.heads.ExamRecord;
import org.mammotriage.training.heads.HeadsTrainer;

/**
 * The demo chain on a tiny synthetic archive with a small random CNN standing in for the pretrained
 * encoder (pretraining has its own tests): every step runs for real, on few images.
 */
class DemoModelPipelineTest {
  private static final int H = TinyModels.H * 2;
  private static final int W = TinyModels.W * 2;

  @Test
  void shouldRunTheChainAndExportAModelThatScoringLoadsAndThatMatchesDjlOnRealImages(
      @TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    Path archive = work.resolve("archive");
    // cancer-enriched, and a seed whose small validation and test splits both hold cancers
    SyntheticArchive.of(SynthOptions.defaults(16, 3).withScale(0.05).withMalignantShare(0.5))
        .generate(archive);
    Path out = tmp.resolve("model");
    DemoModelPipeline.Options o =
        new DemoModelPipeline.Options(
            16, 3, 0.05, new HeadsTrainer.Options(2, 16, 1e-3f, 0f, 1L), 16, 1, 16, "t", "0");

    java.util.List<String> lines = new java.util.ArrayList<>();
    DemoModelPipeline.Result r =
        new DemoModelPipeline(new TinyEncoderStep(), new ExamModelStore())
            .run(o, work, out, lines::add);

    assertThat(r.export().parity().values())
        .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
    assertThat(out.resolve("evaluation.json")).isRegularFile();
    assertThat(Files.readString(out.resolve("evaluation.html"))).contains("<svg", "SYNTHETIC");
    assertThat(Files.readString(out.resolve("README.md"))).contains("NOT for clinical use");
    try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
      assertThat(loaded.info().intendedUse()).contains("SYNTHETIC", "NOT for clinical use");
      assertThat(loaded.manifest().thresholds().low())
          .isLessThanOrEqualTo(loaded.manifest().thresholds().suspicious());
    }
    // 3 breasts with cancer in this tiny validation split: too few to fit a calibration on
    assertThat(lines)
        .anyMatch(l -> l.startsWith("calibration skipped: the validation split has 3"));
    assertThat(ModelManifest.read(out.resolve(ModelManifest.FILE)).calibration()).isNull();
    assertParityOnRealWorkingImages(out, archive);
  }

  /** Real working images (ingest's preprocessing) through both graphs, with a missing view. */
  private static void assertParityOnRealWorkingImages(Path out, Path archive) throws Exception {
    List<ExamRecord> exams = ExamManifest.read(archive.resolve("manifest.csv"));
    try (NDManager m = NDManager.newBaseManager()) {
      var store =
          new ExamModelStore().register(TinyEncoderStep.TYPE, c -> TinyEncoderStep.encoder());
      var model = store.load(out.getParent().resolve("work/exam_model"), m);
      ViewImageLoader loader = model.loader(Preprocessor.defaults());
      int n = 2;
      float[] views = new float[n * 4 * H * W];
      float[] present = {1, 1, 1, 1, 1, 0, 1, 1};
      for (int e = 0; e < n; e++) {
        for (int s = 0; s < 4; s++) {
          Path img = exams.get(e).images()[s];
          if (present[e * 4 + s] == 1 && img != null) {
            System.arraycopy(loader.load(img), 0, views, (e * 4 + s) * H * W, H * W);
          } else {
            present[e * 4 + s] = 0;
          }
        }
      }
      // the exported pair as the stream runs it: the encoder on each view, the head on the four
      Map<String, Double> d =
          ParityCheck.compositionMaxAbsDiff(
              Files.readAllBytes(out.resolve(ModelExport.IMAGE_ENCODER)),
              Files.readAllBytes(out.resolve(ModelManifest.EXAM_HEAD)),
              model.scorer(),
              m.create(views, new Shape(n, 4, 1, H, W)),
              m.create(present, new Shape(n, 4)));
      assertThat(d.values()).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(1e-4));
      NDArray images = m.create(views, new Shape(n * 4, 1, H, W));
      double enc =
          ParityCheck.maxAbsDiff(
              Files.readAllBytes(out.resolve(ModelExport.IMAGE_ENCODER)),
              model.encoder(),
              ExamModelGraphs.IMAGE,
              ExamModelGraphs.EMBEDDING,
              images);
      assertThat(enc).isLessThanOrEqualTo(1e-4);
    }
  }

  /** A random small CNN at 64×48 in place of pretraining. */
  static final class TinyEncoderStep implements EncoderStep {
    static final String TYPE = "test-tiny-cnn";

    static Block encoder() {
      return TinyModels.encoder();
    }

    @Override
    public TrainedEncoder train(
        NDManager manager, Path manifest, Path workDir, java.util.function.Consumer<String> p) {
      Engine.getInstance().setRandomSeed(3);
      Block b = encoder();
      b.initialize(manager, DataType.FLOAT32, new Shape(1, 1, H, W));
      TinyModels.randomiseBatchNormStatistics(b, manager);
      return new TrainedEncoder(
          b, TYPE, JsonNodeFactory.instance.objectNode(), TinyModels.D, H, W, 0.2, 0.25, "tiny");
    }
  }
}
