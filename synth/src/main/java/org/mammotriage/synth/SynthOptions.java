package org.mammotriage.synth;

/**
 * What the synthetic archive holds. Shares are per exam (malignant) or per breast (benign
 * findings).
 *
 * @param scale image size relative to the vendor's real detector (1.0 = 4096×3328 / 2294×1914);
 *     tests use ~0.1
 * @param malignantShare share of exams with a screen-detected cancer in one breast
 * @param benignMassShare share of breasts with a benign (round/oval, circumscribed) mass
 * @param benignCalcShare share of breasts with a benign calcification cluster
 * @param densityWeights relative weights of BI-RADS density A, B, C, D
 * @param faultShare with faults on, the share of studies that get one fault each
 */
public record SynthOptions(
    int patients,
    long seed,
    double scale,
    boolean faults,
    double faultShare,
    double malignantShare,
    double benignMassShare,
    double benignCalcShare,
    double[] densityWeights,
    boolean preview,
    int threads) {

  public SynthOptions {
    if (patients < 1) {
      throw new IllegalArgumentException("patients must be at least 1, got " + patients);
    }
    if (scale <= 0.01 || scale > 1.0) {
      throw new IllegalArgumentException("scale must be in (0.01, 1.0], got " + scale);
    }
    if (densityWeights.length != 4) {
      throw new IllegalArgumentException("densityWeights needs 4 weights (A, B, C, D)");
    }
    for (double s : new double[] {faultShare, malignantShare, benignMassShare, benignCalcShare}) {
      if (s < 0 || s > 1) {
        throw new IllegalArgumentException("shares must be in [0, 1], got " + s);
      }
    }
    densityWeights = densityWeights.clone();
  }

  /** Defaults: roughly screening-like density mix (10/40/40/10), a cancer-enriched 8% of exams. */
  public static SynthOptions defaults(int patients, long seed) {
    return new SynthOptions(
        patients,
        seed,
        1.0,
        false,
        0.25,
        0.08,
        0.08,
        0.06,
        new double[] {0.1, 0.4, 0.4, 0.1},
        false,
        Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  public SynthOptions withScale(double s) {
    return new SynthOptions(
        patients,
        seed,
        s,
        faults,
        faultShare,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        preview,
        threads);
  }

  public SynthOptions withFaults(boolean f) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        f,
        faultShare,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        preview,
        threads);
  }

  public SynthOptions withFaultShare(double s) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        faults,
        s,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        preview,
        threads);
  }

  public SynthOptions withMalignantShare(double s) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        faults,
        faultShare,
        s,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        preview,
        threads);
  }

  public SynthOptions withPreview(boolean p) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        faults,
        faultShare,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        p,
        threads);
  }

  public SynthOptions withThreads(int t) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        faults,
        faultShare,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        densityWeights,
        preview,
        Math.max(1, t));
  }

  public SynthOptions withDensityWeights(double... w) {
    return new SynthOptions(
        patients,
        seed,
        scale,
        faults,
        faultShare,
        malignantShare,
        benignMassShare,
        benignCalcShare,
        w,
        preview,
        threads);
  }
}
