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
 * @param benchmark 1 (the default archive) or 2, the pretraining benchmark (see {@link
 *     #benchmarkV2}): reports from a simulated reader, per-view compression and intensity, lesions
 *     partly hidden in one view, landmarks shared by CC and MLO, lesions sized for the model input.
 *     Version 1 output does not change with this option.
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
    int threads,
    int benchmark) {

  public SynthOptions {
    if (benchmark != 1 && benchmark != 2) {
      throw new IllegalArgumentException("benchmark must be 1 or 2, got " + benchmark);
    }
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
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        1);
  }

  /**
   * The pretraining benchmark (v2): detector scale 0.25, a cancer in 20 % of the exams (one
   * breast), benign masses in 15 % and benign calcification clusters in 12 % of the breasts, so
   * that a probe's 10 % label fraction still holds tens of positives; see synth/README.md.
   */
  public static SynthOptions benchmarkV2(int patients, long seed) {
    return new SynthOptions(
        patients,
        seed,
        0.25,
        false,
        0.25,
        0.20,
        0.15,
        0.12,
        new double[] {0.1, 0.4, 0.4, 0.1},
        false,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        2);
  }

  public boolean v2() {
    return benchmark == 2;
  }

  /** The same options with the benchmark version set (1 or 2). */
  public SynthOptions withBenchmark(int b) {
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
        threads,
        b);
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
        threads,
        benchmark);
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
        threads,
        benchmark);
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
        threads,
        benchmark);
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
        threads,
        benchmark);
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
        threads,
        benchmark);
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
        Math.max(1, t),
        benchmark);
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
        threads,
        benchmark);
  }
}
