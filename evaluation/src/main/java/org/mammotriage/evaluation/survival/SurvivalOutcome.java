package org.mammotriage.evaluation.survival;

/**
 * What is known about one exam's future: years from the exam to a cancer diagnosis (NaN when none
 * was observed, i.e. censored) and years to the last follow-up.
 */
public record SurvivalOutcome(double yearsToCancer, double yearsToFollowup) {

  public static SurvivalOutcome cancerAt(double years) {
    return new SurvivalOutcome(years, years);
  }

  public static SurvivalOutcome censoredAt(double followup) {
    return new SurvivalOutcome(Double.NaN, followup);
  }

  public boolean event() {
    return !Double.isNaN(yearsToCancer);
  }

  /** Time of the event, or of censoring. */
  public double time() {
    return event() ? yearsToCancer : yearsToFollowup;
  }

  /** Cancer diagnosed within k years. */
  public boolean positiveAt(double k) {
    return event() && yearsToCancer <= k;
  }

  /**
   * Known cancer-free through year k: followed up for at least k years, or diagnosed only after k
   * (Mirai counts cancers after the horizon as negatives).
   */
  public boolean negativeAt(double k) {
    return !positiveAt(k) && (event() ? yearsToCancer > k : yearsToFollowup >= k);
  }
}
