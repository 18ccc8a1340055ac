package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.model.PretrainNet;

/** Two real training steps of each method on a tiny synthetic archive (real working images). */
class PretrainerTest {
  @TempDir static Path shared;
  static Path manifest;

  @BeforeAll
  static void archive() throws Exception {
    Path archive = shared.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(8, 5).withScale(0.05)).generate(archive);
    manifest = archive.resolve("manifest.csv");
  }

  static Pretrainer.Options options(PretrainMethod m, int steps, boolean resume) {
    return options(m, steps, resume, shared.resolve("cache"));
  }

  static Pretrainer.Options options(PretrainMethod m, int steps, boolean resume, Path cache) {
    return options(m, steps, resume, cache, 1);
  }

  static Pretrainer.Options options(
      PretrainMethod m, int steps, boolean resume, Path cache, int checkpointEvery) {
    ModelConfig tiny = ModelConfig.tiny(0);
    ModelConfig c =
        new ModelConfig(
            tiny.inputHeight(),
            tiny.inputWidth(),
            tiny.resnetDepth(),
            tiny.width(),
            tiny.tokenLayers(),
            tiny.tokenDim(),
            tiny.embeddingDim(),
            tiny.textDim(),
            tiny.textLayers(),
            tiny.heads(),
            0,
            0,
            tiny.glamGrid(),
            tiny.glamDim(),
            tiny.normMean(),
            tiny.normStd());
    return new Pretrainer.Options(
        m, c, 4, steps, 1e-3f, 1e-4f, 1, 0.8, checkpointEvery, 11L, resume, cache);
  }

  @ParameterizedTest
  @EnumSource(PretrainMethod.class)
  void shouldTrainTwoStepsWithFiniteLossChangedParametersAndAReloadableCheckpoint(
      PretrainMethod method, @TempDir Path out) throws Exception {
    PretrainData data = PretrainData.read(manifest);

    Pretrainer.Result r = Pretrainer.train(data, options(method, 2, false), out, line -> {});

    assertThat(r.history()).hasSize(2);
    for (String line : r.history()) {
      for (String v : line.split(",")) {
        assertThat(Double.parseDouble(v)).isFinite();
      }
    }
    Path ckpt = out.resolve(Pretrainer.CHECKPOINT_DIR);
    byte[] step1 = Files.readAllBytes(ckpt.resolve("step-0000001.params"));
    byte[] step2 = Files.readAllBytes(ckpt.resolve("step-0000002.params"));
    assertThat(step2).hasSameSizeAs(step1).isNotEqualTo(step1);
    assertThat(Files.readAllBytes(out.resolve(PretrainedModel.PARAMS_FILE))).isEqualTo(step2);

    try (NDManager m = NDManager.newBaseManager()) {
      PretrainedModel a = PretrainedModel.load(out, m);
      assertThat(a.method()).isEqualTo(method);
      assertThat(a.config().vocabularySize()).isEqualTo(a.tokenizer().size());
      Path resaved = out.resolve("resaved.params");
      PretrainedModel.writeParams(a.net(), resaved);
      PretrainNet b = PretrainedModel.build(method, a.config(), m);
      PretrainedModel.readParams(b, m, resaved);
      NDList in = realBatch(m, a, data);
      NDList outA = a.net().forward(new ParameterStore(m, false), in, false);
      NDList outB = b.forward(new ParameterStore(m, false), in, false);
      assertThat(outA.size()).isEqualTo(outB.size());
      for (int i = 0; i < outA.size(); i++) {
        NDArray d = outA.get(i).sub(outB.get(i)).abs().max();
        assertThat(d.getFloat()).as("output %d", i).isZero();
      }
      // the embeddings are L2-normalised and not all equal: the encoder sees the images
      NDArray z = outA.get(0);
      assertThat(z.norm(new int[] {1}).sub(1f).abs().max().getFloat()).isLessThan(1e-4f);
      assertThat(z.get(0).sub(z.get(1)).abs().max().getFloat()).isGreaterThan(0f);
    }
  }

  @Test
  void shouldGiveTheSameLossesForAnyWorkerCountAndAfterAnExactResumeFromTheMiddle(@TempDir Path tmp)
      throws Exception {
    PretrainData data = PretrainData.read(manifest);
    Path cache = shared.resolve("cache");
    Pretrainer.Result first =
        Pretrainer.train(
            data,
            options(PretrainMethod.MVCLIP, 4, false, cache, 2).withPipeline(1, 1),
            tmp.resolve("a"),
            l -> {});
    Pretrainer.Result again =
        Pretrainer.train(
            data,
            options(PretrainMethod.MVCLIP, 4, false, cache, 2).withPipeline(3, 5),
            tmp.resolve("b"),
            l -> {});
    assertThat(again.history()).hasSize(4).isEqualTo(first.history());
    assertThat(again.maxResidentBatches()).isBetween(1, 6);

    // an interrupted run: stopped after step 2 (its step-4 checkpoint and final model are lost)
    Path b = tmp.resolve("b");
    Path ckpt = b.resolve(Pretrainer.CHECKPOINT_DIR);
    Files.delete(ckpt.resolve("step-0000004.params"));
    Files.delete(ckpt.resolve("step-0000004.state"));
    Files.delete(b.resolve(PretrainedModel.PARAMS_FILE));
    List<String> logged = new java.util.ArrayList<>();
    Pretrainer.Result resumed =
        Pretrainer.train(data, options(PretrainMethod.MVCLIP, 4, true, cache, 2), b, logged::add);

    assertThat(logged.get(0)).contains("resuming from step-0000002.params");
    // the convolutions were checked against the reference before the first step
    assertThat(logged)
        .anyMatch(l -> l.startsWith("convolution self-check: ") && l.contains("agree"));
    // parameters, AdamW moments and counts, RNG and data position restored: identical losses
    assertThat(resumed.history()).containsExactlyElementsOf(first.history().subList(2, 4));
    assertThat(Files.readAllLines(b.resolve(Pretrainer.HISTORY_FILE)))
        .hasSize(5)
        .endsWith(first.history().toArray(String[]::new));
    // and the same final weights, bit for bit
    assertThat(Files.readAllBytes(b.resolve(PretrainedModel.PARAMS_FILE)))
        .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(PretrainedModel.PARAMS_FILE)));
  }

  @Test
  void shouldRefuseAManifestWithoutTrainingBreasts(@TempDir Path tmp) throws Exception {
    PretrainData data = PretrainData.read(manifest);
    PretrainData noTrain =
        PretrainData.of(
            org.mammotriage.training.data.TrainingManifest.of(
                manifest, data.manifest().rows().stream().map(r -> r.withSplit("test")).toList()));
    assertThatThrownBy(
            () -> Pretrainer.train(noTrain, options(PretrainMethod.CLIP, 1, false), tmp, l -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'train' split");
  }

  @Test
  void shouldWarmUpLinearlyThenDecayByCosine() {
    WarmupCosine s = new WarmupCosine(1f, 4, 14, 0.01f, 0);
    assertThat(s.at(0)).isEqualTo(0.25f);
    assertThat(s.at(3)).isEqualTo(1f);
    assertThat(s.at(9)).isCloseTo(0.505f, org.assertj.core.data.Offset.offset(1e-4f));
    assertThat(s.at(14)).isCloseTo(0.01f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(new WarmupCosine(1f, 4, 14, 0.01f, 5).getNewValue(1)).isEqualTo(s.at(5));
  }

  @Test
  void shouldDrawMamasPartnerFromTheStudyOrTheImageItselfEvenly() {
    List<Path> study =
        List.of(Path.of("L_CC"), Path.of("L_MLO"), Path.of("R_CC"), Path.of("R_MLO"));
    java.util.Map<Path, Integer> counts = new java.util.HashMap<>();
    Random r = new Random(3);
    for (int i = 0; i < 4000; i++) {
      counts.merge(PretrainBatches.partner(study, study.get(1), r), 1, Integer::sum);
    }
    // the image itself half of the time, each of the three others a sixth
    assertThat(counts.get(study.get(1))).isBetween(1800, 2200);
    for (int k : new int[] {0, 2, 3}) {
      assertThat(counts.get(study.get(k))).isBetween(560, 780);
    }
    assertThat(PretrainBatches.partner(List.of(study.get(0)), study.get(0), r))
        .isEqualTo(study.get(0));
  }

  @Test
  void shouldGiveGlamPerBreastRegionMasksFromEachViewsSpacingAndCrop() throws Exception {
    PretrainData data = PretrainData.read(manifest);
    try (NDManager m = NDManager.newBaseManager()) {
      ModelConfig c = options(PretrainMethod.GLAM, 1, false).config();
      c = c.withVocabularySize(50);
      c =
          new ModelConfig(
              c.inputHeight(),
              c.inputWidth(),
              c.resnetDepth(),
              c.width(),
              c.tokenLayers(),
              c.tokenDim(),
              c.embeddingDim(),
              c.textDim(),
              c.textLayers(),
              c.heads(),
              160,
              50,
              c.glamGrid(),
              c.glamDim(),
              c.normMean(),
              c.normStd());
      ViewImageLoader loader =
          new ViewImageLoader(
                  Preprocessor.defaults(),
                  c.inputHeight(),
                  c.inputWidth(),
                  c.normMean(),
                  c.normStd())
              .withDiskCache(shared.resolve("cache"));
      List<BreastSample> b = data.split("train", true).subList(0, 3);
      var tok = org.mammotriage.training.report.Tokenizer.build(data.corpus(), 1);
      NDList in =
          Pretrainer.batch(m, b, PretrainMethod.GLAM, c, tok, loader, 0, new Random(1)).inputs();
      assertThat(in).hasSize(6);
      NDArray cc = in.get(4);
      NDArray mlo = in.get(5);
      assertThat(cc.getShape().get(0)).isEqualTo(3);
      // the views are cropped and scaled differently, so their depth bins fall on other cells
      assertThat(cc.sub(mlo).abs().max().getFloat()).isGreaterThan(0f);
      assertThat(loader.geometry(b.get(0).cc()).known()).isTrue();
      assertThat(loader.geometry(b.get(0).mlo()).mmPerColumn(c.inputWidth()))
          .isGreaterThan(loader.geometry(b.get(0).cc()).mmPerColumn(c.inputWidth()));
    }
  }

  private static NDList realBatch(NDManager m, PretrainedModel a, PretrainData data)
      throws Exception {
    ModelConfig c = a.config();
    ViewImageLoader loader =
        new ViewImageLoader(
                Preprocessor.defaults(), c.inputHeight(), c.inputWidth(), c.normMean(), c.normStd())
            .withDiskCache(shared.resolve("cache"));
    List<BreastSample> b = data.split("train", true).subList(0, 3);
    return Pretrainer.batch(m, b, a.method(), c, a.tokenizer(), loader, 0, new Random(1)).inputs();
  }
}
