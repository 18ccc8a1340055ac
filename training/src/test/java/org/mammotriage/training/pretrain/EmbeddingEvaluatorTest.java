package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.model.PretrainMethod;

class EmbeddingEvaluatorTest {

  @Test
  void shouldSeparateLinearlySeparableClassesEvenWhenOneIsRare() {
    Random rnd = new Random(3);
    int n = 400;
    float[][] x = new float[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 20 == 0 ? 1 : 0; // 5% positives
      x[i] =
          new float[] {(float) (y[i] * 1.0 + rnd.nextGaussian() * 0.2), (float) rnd.nextGaussian()};
    }
    LinearProbe p = LinearProbe.fit(x, y, 2, 1e-4, 300);
    double[] s = new double[n];
    int correctPositives = 0;
    for (int i = 0; i < n; i++) {
      double[] pr = p.predict(x[i]);
      assertThat(pr[0] + pr[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      s[i] = pr[1];
      if (y[i] == 1 && pr[1] > 0.5) {
        correctPositives++;
      }
    }
    assertThat(Auc.of(s, y)).isGreaterThan(0.98);
    // class weighting: the rare class is not ignored by the arg-max
    assertThat(correctPositives).isGreaterThanOrEqualTo(18);
  }

  @Test
  void shouldTakeAShareOfEachClassAndAtLeastOneOfEveryClass(@TempDir Path tmp) throws Exception {
    Path dummy = Path.of("x.png");
    List<EmbeddingEvaluator.Sample> s = new java.util.ArrayList<>();
    List<Integer> pool = new java.util.ArrayList<>();
    PretrainData data = PretrainData.read(archive(tmp));
    BreastSample any = data.breasts().get(0);
    for (int i = 0; i < 200; i++) {
      int label = i < 10 ? 1 : 0;
      var row = any.row();
      var r =
          new org.mammotriage.training.data.ManifestRow(
              row.patientId(),
              row.studyUid(),
              row.sopUid(),
              row.laterality(),
              row.view(),
              row.imagePath(),
              row.age(),
              row.density(),
              row.birads(),
              row.mass(),
              row.calcification(),
              label,
              null,
              null,
              "train",
              "",
              "",
              java.util.Map.of());
      s.add(
          new EmbeddingEvaluator.Sample(
              dummy, new BreastSample("k" + i, "p", "train", dummy, dummy, r)));
      pool.add(i);
    }
    List<Integer> one =
        EmbeddingEvaluator.stratified(pool, s, "malignancy", 0.01, 2, new Random(1));
    assertThat(one).hasSize(3); // round(1.9) negatives + max(1, round(0.1)) positive
    assertThat(one.stream().filter(i -> i < 10)).hasSize(1);
    List<Integer> all = EmbeddingEvaluator.stratified(pool, s, "malignancy", 1.0, 2, new Random(1));
    assertThat(all).hasSize(200);
  }

  @Test
  void shouldEvaluateEveryTaskAndLabelFractionAndWriteTheReport(@TempDir Path tmp)
      throws Exception {
    Path manifest = archive(tmp);
    PretrainData data = PretrainData.read(manifest);
    Path model = tmp.resolve("mvclip");
    Pretrainer.train(
        data,
        PretrainerTest.options(PretrainMethod.MVCLIP, 2, false, tmp.resolve("cache")),
        model,
        l -> {});

    EmbeddingEvaluator.Result r;
    try (NDManager m = NDManager.newBaseManager()) {
      r =
          EmbeddingEvaluator.evaluate(
              PretrainedModel.load(model, m), data, "mvclip", tmp.resolve("cache"), 16, 1, l -> {});
    }

    assertThat(r.metrics()).hasSize(EmbeddingEvaluator.TASKS.size() * 4);
    for (String task : EmbeddingEvaluator.TASKS) {
      assertThat(EmbeddingReport.cells(r, task)).doesNotContainNull();
    }
    // every cell either has a defined AUC in [0, 1] or none because the test split lacks a class
    assertThat(r.metrics())
        .allSatisfy(
            x -> {
              if (!Double.isNaN(x.auc().estimate())) {
                assertThat(x.auc().estimate()).isBetween(0.0, 1.0);
              }
              assertThat(x.testSamples()).isPositive();
            });
    assertThat(r.find("density", "linear-probe", 1.0).auc().estimate()).isBetween(0.0, 1.0);
    EmbeddingReport.write(List.of(r, r), "SYNTHETIC test", tmp.resolve("report"));
    String html = Files.readString(tmp.resolve("report").resolve(EmbeddingReport.HTML_FILE));
    assertThat(html).contains("<svg", "SYNTHETIC test", "density: AUC by label fraction");
    assertThat(html).doesNotContain("NaN\"");
    assertThat(EmbeddingReport.table(List.of(r))).contains("mass", "calcification", "probe 10%");
    assertThat(tmp.resolve("report").resolve(EmbeddingReport.JSON_FILE)).isRegularFile();
  }

  private static Path archive(Path dir) throws Exception {
    Path archive = dir.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(16, 3).withScale(0.05).withMalignantShare(0.4))
        .generate(archive);
    return archive.resolve("manifest.csv");
  }
}
