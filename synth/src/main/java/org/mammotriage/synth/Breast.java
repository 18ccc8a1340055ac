package org.mammotriage.synth;

import java.util.List;

/**
 * One breast at one exam: its geometry (shared by CC and MLO) and its findings and outcome labels.
 *
 * @param depthMm nipple-to-chest-wall depth
 * @param halfHeightMm half the extent along the image's vertical axis in CC
 * @param yearsToCancer years from this exam to a cancer diagnosis in this breast (0 = found now),
 *     or null (censored)
 * @param v2 benchmark v2's additions (reader report, per-view variation, landmarks); null in v1
 */
public record Breast(
    char laterality,
    double depthMm,
    double halfHeightMm,
    List<Lesion> lesions,
    int birads,
    Double yearsToCancer,
    double yearsToLastFollowup,
    BreastV2 v2) {

  /** A v1 breast. */
  public Breast(
      char laterality,
      double depthMm,
      double halfHeightMm,
      List<Lesion> lesions,
      int birads,
      Double yearsToCancer,
      double yearsToLastFollowup) {
    this(
        laterality,
        depthMm,
        halfHeightMm,
        lesions,
        birads,
        yearsToCancer,
        yearsToLastFollowup,
        null);
  }

  public boolean malignant() {
    return lesions.stream().anyMatch(l -> l.type().malignant());
  }

  public boolean mass() {
    return lesions.stream().anyMatch(l -> l.type().mass());
  }

  public boolean calcification() {
    return lesions.stream().anyMatch(l -> !l.type().mass());
  }
}
