package org.mammotriage.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GLAM relies on a lesion appearing at the same distance from the chest wall in CC and MLO. This
 * measures it from the pixels: each view is drawn with and without the lesion (same seed) and the
 * centroid of the difference is taken.
 */
class LesionGeometryTest {

  @Test
  void shouldPlaceEachLesionAtTheSameChestWallDistanceInCcAndMlo() {
    SynthOptions o = SynthOptions.defaults(40, 21).withMalignantShare(1.0);
    List<Patient> cohort = SyntheticArchive.of(o).cohort();
    int checked = 0;
    for (Patient p : cohort) {
      Exam e = p.exams().get(p.exams().size() - 1);
      for (Breast b : List.of(e.left(), e.right())) {
        for (Lesion l : b.lesions()) {
          Breast only =
              new Breast(
                  b.laterality(), b.depthMm(), b.halfHeightMm(), List.of(l), b.birads(), null, 0);
          Breast none =
              new Breast(
                  b.laterality(), b.depthMm(), b.halfHeightMm(), List.of(), b.birads(), null, 0);
          double spacing = 0.4; // 2.5 px/mm is enough to find a lesion of a few mm
          double ccMm = centroidX(only, none, false, spacing) * spacing;
          double mloMm = centroidX(only, none, true, spacing) * spacing;
          assertThat(Math.abs(ccMm - mloMm))
              .as("CC %.1f mm vs MLO %.1f mm for %s", ccMm, mloMm, l.type())
              .isLessThan(3.0);
          assertThat(Math.abs(ccMm - l.depthMm())).as("measured vs truth depth").isLessThan(3.0);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(40);
  }

  static double centroidX(Breast with, Breast without, boolean mlo, double spacing) {
    int rows = 700;
    int cols = 560;
    PhantomRenderer.Geometry g = PhantomRenderer.geometry(with, mlo, rows, cols, spacing);
    float[] a = new float[rows * cols];
    float[] b = new float[rows * cols];
    PhantomRenderer.render(a, g, with, mlo, 2, 0.0, 99);
    PhantomRenderer.render(b, g, without, mlo, 2, 0.0, 99);
    double sum = 0;
    double wx = 0;
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        double d = a[y * cols + x] - b[y * cols + x];
        if (d > 0.02) {
          sum += d;
          wx += d * x;
        }
      }
    }
    assertThat(sum).as("lesion visible in %s", mlo ? "MLO" : "CC").isPositive();
    return wx / sum;
  }
}
