package org.mammotriage.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Benchmark v2: reports that do not state the labels, views that differ, shared local content. */
class BenchmarkV2Test {
  private static List<Breast> lastExamBreasts(int patients, long seed) {
    return SyntheticArchive.of(SynthOptions.benchmarkV2(patients, seed)).cohort().stream()
        .flatMap(p -> p.exams().stream())
        .flatMap(e -> java.util.stream.Stream.of(e.left(), e.right()))
        .toList();
  }

  @Test
  void shouldWriteReportsFromAnImperfectReaderNotFromTheLabels() {
    List<Breast> breasts = lastExamBreasts(3000, 11);
    int mass = 0;
    int massReported = 0;
    int noMass = 0;
    int falseMass = 0;
    int missingFindings = 0;
    int missingImpression = 0;
    boolean lowBiradsCancer = false;
    boolean suspiciousBenign = false;
    for (Breast b : breasts) {
      BreastV2.ReaderReport r = b.v2().report();
      if (r.mass() < 0) {
        missingFindings++;
      } else if (b.mass()) {
        mass++;
        massReported += r.mass();
      } else {
        noMass++;
        falseMass += r.mass();
      }
      if (r.birads() == null) {
        missingImpression++;
      } else {
        lowBiradsCancer |= b.malignant() && r.birads() <= 3;
        suspiciousBenign |= !b.malignant() && r.birads() >= 4;
      }
    }
    double sensitivity = (double) massReported / mass;
    double falseRate = (double) falseMass / noMass;
    // sensitivity below 1 (0.5–0.75 per lesion, less in dense breasts), false findings, missing
    // sections: the text does not equal the label
    assertThat(sensitivity).isBetween(0.45, 0.8);
    assertThat(falseRate).isBetween(0.03, 0.12);
    assertThat((double) missingFindings / breasts.size()).isBetween(0.12, 0.18);
    assertThat((double) missingImpression / breasts.size()).isBetween(0.12, 0.18);
    assertThat(lowBiradsCancer).isTrue();
    assertThat(suspiciousBenign).isTrue();
  }

  @Test
  void shouldVaryEachViewAndHideSomeLesionsPartlyInOneView() {
    List<Breast> breasts = lastExamBreasts(800, 12);
    int lesions = 0;
    int partlyHidden = 0;
    for (Breast b : breasts) {
      BreastV2.ViewVariation cc = b.v2().cc();
      BreastV2.ViewVariation mlo = b.v2().mlo();
      assertThat(cc.gamma()).isNotEqualTo(mlo.gamma());
      assertThat(cc.halfHeightScale()).isNotEqualTo(mlo.halfHeightScale());
      assertThat(b.v2().landmarks()).hasSizeBetween(3, 6);
      for (int k = 0; k < b.lesions().size(); k++) {
        lesions++;
        double low = Math.min(cc.lesionContrast()[k], mlo.lesionContrast()[k]);
        partlyHidden += low < 0.6 ? 1 : 0;
      }
    }
    assertThat(lesions).isGreaterThan(200);
    assertThat((double) partlyHidden / lesions).isBetween(0.22, 0.38);
  }

  @Test
  void shouldKeepLesionsAndLandmarksAtTheSameChestWallDistanceInBothViews() {
    // depth in pixels = depth in mm / spacing in both views, whatever each view's compression
    List<Breast> breasts = lastExamBreasts(200, 13);
    int checked = 0;
    for (Breast b : breasts) {
      for (int k = 0; k < b.lesions().size(); k++) {
        Lesion l = b.lesions().get(k);
        Breast only = withOnly(b, k);
        Breast none = withOnly(b, -1);
        double spacing = 0.4;
        double cc = LesionGeometryTest.centroidX(only, none, false, spacing) * spacing;
        double mlo = LesionGeometryTest.centroidX(only, none, true, spacing) * spacing;
        assertThat(Math.abs(cc - mlo))
            .as("%s CC %.1f vs MLO %.1f", l.type(), cc, mlo)
            .isLessThan(3);
        assertThat(Math.abs(cc - l.depthMm())).isLessThan(3);
        checked++;
      }
      if (checked > 30) {
        break;
      }
    }
    assertThat(checked).isGreaterThan(20);
  }

  /** The breast with only lesion k (none for k < 0) at full contrast and neutral exposure. */
  private static Breast withOnly(Breast b, int k) {
    BreastV2 v = b.v2();
    BreastV2.ViewVariation[] vv = {v.cc(), v.mlo()};
    for (int i = 0; i < 2; i++) {
      double[] r = {k < 0 ? 0 : vv[i].lesionRotation()[k]};
      double[] a = {k < 0 ? 1 : vv[i].lesionAspect()[k]};
      vv[i] =
          new BreastV2.ViewVariation(
              vv[i].halfHeightScale(), vv[i].depthScale(), 1, 1, 0, new double[] {1}, r, a);
    }
    return new Breast(
        b.laterality(),
        b.depthMm(),
        b.halfHeightMm(),
        k < 0 ? List.of() : List.of(b.lesions().get(k)),
        b.birads(),
        null,
        0,
        new BreastV2(v.report(), vv[0], vv[1], List.of()));
  }

  @Test
  void shouldWriteTheReadersFieldsIntoTheManifestAndStayDeterministic(@TempDir Path dir)
      throws Exception {
    SynthOptions o = SynthOptions.benchmarkV2(4, 5).withScale(0.05).withThreads(2);
    SyntheticArchive.of(o).generate(dir.resolve("a"));
    SyntheticArchive.of(o.withThreads(1)).generate(dir.resolve("b"));
    List<String> a = Files.readAllLines(dir.resolve("a/manifest.csv"));
    assertThat(a.get(0)).isEqualTo(SyntheticArchive.MANIFEST_HEADER_V2);
    assertThat(a.get(1).split(",", -1)).hasSize(21);
    assertThat(Files.readAllLines(dir.resolve("b/manifest.csv"))).isEqualTo(a);
    for (String row : a.subList(1, a.size())) {
      String f = row.split(",")[5];
      assertThat(Files.readAllBytes(dir.resolve("a").resolve(f)))
          .isEqualTo(Files.readAllBytes(dir.resolve("b").resolve(f)));
    }
  }
}
