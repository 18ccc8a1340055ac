package org.mammotriage.evaluation.survival;

/**
 * What is known about one exam's future: years from the exam to a cancer diagnosis (NaN when none
 * was observed, i.e. censored) and years to the last follow-up.
 *
 * <p><b>Year boundaries follow Mirai</b> (Yala et al., Sci. Transl. Med. 2021; its data loaders'
 * {@code get_label}): time is counted in whole years, {@code year index = floor(years)}, so a
 * cancer diagnosed at 0 ≤ t &lt; 1 year falls in year 1 and one at exactly 1.0 year falls in year
 * 2. Hence a cancer is a positive for horizon k when {@code t < k} (not {@code t ≤ k}), and an exam
 * is a known negative for horizon k when the woman was followed for at least k whole years without
 * a cancer before then ({@code follow-up ≥ k}, or a cancer only at {@code t ≥ k}). Mirai's k-year
 * AUC ({@code include_exam_and_determine_label}) and its hazard targets use the same rule; {@link
 * #firstPositiveYear()} is the one horizon its training mask keeps after a diagnosis.
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

  /** Cancer diagnosed within the first k whole years: {@code floor(t) ≤ k − 1}, i.e. t &lt; k. */
  public boolean positiveAt(double k) {
    return event() && yearsToCancer < k;
  }

  /**
   * Known cancer-free through year k: followed up for at least k years, or diagnosed only at k or
   * later (Mirai counts cancers after the horizon as negatives).
   */
  public boolean negativeAt(double k) {
    return !positiveAt(k) && (event() ? yearsToCancer >= k : yearsToFollowup >= k);
  }

  /**
   * The horizon (1-based whole years) in which the cancer was diagnosed, {@code floor(t) + 1}; 0
   * when there was none.
   */
  public int firstPositiveYear() {
    return event() ? (int) Math.floor(yearsToCancer) + 1 : 0;
  }
}
