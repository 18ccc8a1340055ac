package org.mammotriage.evaluation.thresholds;

import java.util.Arrays;
import java.util.Locale;

/**
 * Chooses routing thresholds on a validation set from stated targets: {@code suspicious} at a
 * target sensitivity, {@code low} so that at least a share of cancers score at or above it, and
 * {@code risk5y} at a top quantile of 5-year risk. Each choice records what it achieved so {@code
 * model.json} can say how it was made.
 */
public final class ThresholdSelector {
  private final double suspiciousSensitivity;
  private final double lowCancerShareAbove;
  private final double riskTopShare;

  public ThresholdSelector(
      double suspiciousSensitivity, double lowCancerShareAbove, double riskTopShare) {
    check("suspicious sensitivity", suspiciousSensitivity);
    check("low cancer share", lowCancerShareAbove);
    check("risk top share", riskTopShare);
    this.suspiciousSensitivity = suspiciousSensitivity;
    this.lowCancerShareAbove = lowCancerShareAbove;
    this.riskTopShare = riskTopShare;
  }

  /** Suspicious at 90% sensitivity, low with ≥ 99% of cancers above it, risk at the top decile. */
  public static ThresholdSelector defaults() {
    return new ThresholdSelector(0.90, 0.99, 0.10);
  }

  /**
   * The largest threshold t such that at least {@code target} of the positives have score ≥ t (the
   * k-th highest positive score, k = ceil(target × positives)).
   */
  public static double atSensitivity(double[] scores, boolean[] positive, double target) {
    double[] pos =
        java.util.stream.IntStream.range(0, scores.length)
            .filter(i -> positive[i])
            .mapToDouble(i -> scores[i])
            .sorted()
            .toArray();
    if (pos.length == 0) {
      throw new IllegalArgumentException(
          "cannot choose a threshold at a sensitivity without any positive case in"
              + " the validation set; use a validation split that contains cancers");
    }
    int k = (int) Math.ceil(target * pos.length - 1e-9);
    k = Math.max(1, Math.min(pos.length, k));
    return pos[pos.length - k];
  }

  /** The value at or above which the top {@code share} of scores lie. */
  public static double topShare(double[] scores, double share) {
    if (scores.length == 0) {
      throw new IllegalArgumentException(
          "cannot choose a risk threshold on an empty validation set");
    }
    double[] s = scores.clone();
    Arrays.sort(s);
    int k = Math.max(1, (int) Math.ceil(share * s.length - 1e-9));
    return s[s.length - k];
  }

  /**
   * @param examScores exam suspicion on the validation set; {@code cancer} whether the exam has a
   *     cancer
   * @param risk5y 5-year risk on the validation set
   * @param evaluationSet words naming the set, e.g. "validation split of manifest.csv (412 exams)"
   */
  public Thresholds select(
      double[] examScores, boolean[] cancer, double[] risk5y, String evaluationSet) {
    double suspicious = atSensitivity(examScores, cancer, suspiciousSensitivity);
    double low = atSensitivity(examScores, cancer, lowCancerShareAbove);
    double risk = topShare(risk5y, riskTopShare);
    OperatingPoint s = OperatingPoint.at(suspicious, examScores, cancer);
    OperatingPoint l = OperatingPoint.at(low, examScores, cancer);
    double lowShare =
        Arrays.stream(examScores).filter(v -> v < low).count() / (double) examScores.length;
    String provenance =
        String.format(
            Locale.ROOT,
            "chosen on %s: suspicious = exam score at target sensitivity %.2f (achieved %.3f, specificity %.3f);"
                + " low = score with at least %.2f of cancers at or above it (achieved %.3f; %.1f%% of exams below);"
                + " risk5y = top %.0f%% of 5-year risk",
            evaluationSet,
            suspiciousSensitivity,
            s.sensitivity(),
            s.specificity(),
            lowCancerShareAbove,
            l.sensitivity(),
            100 * lowShare,
            100 * riskTopShare);
    return new Thresholds(suspicious, low, risk, provenance, s, l);
  }

  private static void check(String what, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(what + " must be in (0, 1], got " + v);
    }
  }
}
