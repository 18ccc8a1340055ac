package org.mammotriage.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The draws benchmark v2 adds to the cohort (see synth/README.md, "Benchmark v2"): the simulated
 * reader's report, each view's compression, exposure and lesion visibility, and the landmarks. Each
 * comes from its own seeded stream, so v1 archives are untouched and v2 is deterministic.
 */
final class BenchmarkV2 {
  /** Per-lesion chance that the reader reports it (before the density penalty). */
  static final double SENS_MALIGNANT_MASS = 0.75;

  static final double SENS_BENIGN_MASS = 0.5;
  static final double SENS_MALIGNANT_CALC = 0.65;
  static final double SENS_BENIGN_CALC = 0.4;

  /** Lower sensitivity per density category above B (dense tissue hides findings). */
  static final double DENSITY_PENALTY = 0.08;

  /** Chance of reporting a mass (or calcification) that is not there, per breast. */
  static final double FALSE_FINDING = 0.06;

  /** Chance that the findings / impression / composition section is missing. */
  static final double MISSING_FINDINGS = 0.15;

  static final double MISSING_IMPRESSION = 0.15;
  static final double MISSING_COMPOSITION = 0.10;

  /** Chance that a lesion is partly hidden in one of the two views. */
  static final double PARTLY_HIDDEN = 0.3;

  private BenchmarkV2() {}

  /** What the reader writes for one breast at one exam. */
  static BreastV2.ReaderReport read(SplittableRandom r, List<Lesion> lesions, int density) {
    double penalty = DENSITY_PENALTY * Math.max(0, density - 2);
    boolean mass = false;
    boolean calc = false;
    boolean malignant = false;
    for (Lesion l : lesions) {
      double sens =
          switch (l.type()) {
            case MALIGNANT_MASS -> SENS_MALIGNANT_MASS;
            case BENIGN_MASS -> SENS_BENIGN_MASS;
            case MALIGNANT_CALCIFICATION -> SENS_MALIGNANT_CALC;
            case BENIGN_CALCIFICATION -> SENS_BENIGN_CALC;
          };
      if (r.nextDouble() < Math.max(0.05, sens - penalty)) {
        mass |= l.type().mass();
        calc |= !l.type().mass();
        malignant |= l.type().malignant();
      }
    }
    mass |= r.nextDouble() < FALSE_FINDING;
    calc |= r.nextDouble() < FALSE_FINDING;
    double u = r.nextDouble();
    int birads;
    if (malignant) {
      birads = u < 0.55 ? 4 : u < 0.80 ? 5 : 3;
    } else if (mass || calc) {
      birads = u < 0.6 ? 2 : u < 0.9 ? 3 : 4;
    } else {
      birads = u < 0.9 ? 1 : 2;
    }
    double d = r.nextDouble();
    int readDensity =
        d < 0.7 ? density : Math.min(4, Math.max(1, density + (r.nextBoolean() ? 1 : -1)));
    boolean noFindings = r.nextDouble() < MISSING_FINDINGS;
    boolean noImpression = r.nextDouble() < MISSING_IMPRESSION;
    boolean noComposition = r.nextDouble() < MISSING_COMPOSITION;
    return new BreastV2.ReaderReport(
        noFindings ? -1 : mass ? 1 : 0,
        noFindings ? -1 : calc ? 1 : 0,
        noImpression ? null : birads,
        noComposition ? null : readDensity);
  }

  /** CC and MLO variations of one breast at one exam, for its {@code n} lesions. */
  static BreastV2.ViewVariation[] variations(SplittableRandom r, int n) {
    double[][] contrast = new double[2][n];
    for (int k = 0; k < n; k++) {
      contrast[0][k] = 0.8 + 0.2 * r.nextDouble();
      contrast[1][k] = 0.8 + 0.2 * r.nextDouble();
      if (r.nextDouble() < PARTLY_HIDDEN) {
        contrast[r.nextInt(2)][k] = 0.25 + 0.35 * r.nextDouble();
      }
    }
    BreastV2.ViewVariation[] out = new BreastV2.ViewVariation[2];
    for (int v = 0; v < 2; v++) {
      double[] rot = new double[n];
      double[] aspect = new double[n];
      for (int k = 0; k < n; k++) {
        rot[k] = (r.nextDouble() * 2 - 1) * 0.6;
        aspect[k] = Math.exp((r.nextDouble() * 2 - 1) * 0.2);
      }
      out[v] =
          new BreastV2.ViewVariation(
              0.9 + 0.2 * r.nextDouble(),
              0.95 + 0.1 * r.nextDouble(),
              Math.exp((r.nextDouble() * 2 - 1) * 0.25),
              0.85 + 0.3 * r.nextDouble(),
              -0.02 + 0.06 * r.nextDouble(),
              contrast[v],
              rot,
              aspect);
    }
    return out;
  }

  /** 3–6 landmarks at positions from {@code place} (depth, CC offset, MLO offset in mm). */
  static List<BreastV2.Landmark> landmarks(
      SplittableRandom r, java.util.function.Function<SplittableRandom, double[]> place) {
    int n = 3 + r.nextInt(4);
    List<BreastV2.Landmark> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] at = place.apply(r);
      double angle = r.nextDouble() * Math.PI;
      out.add(
          new BreastV2.Landmark(
              at[0],
              at[1],
              at[2],
              8 + 12 * r.nextDouble(),
              0.6 + 0.4 * r.nextDouble(),
              0.08 + 0.06 * r.nextDouble(),
              angle,
              angle + (r.nextDouble() * 2 - 1) * 0.5));
    }
    return out;
  }
}
