package org.mammotriage.scoring;

/**
 * The outcome of scoring one exam. When {@code scorable} is false the reason says why (e.g.
 * NON_FINITE_OUTPUT, RISK_NOT_MONOTONE, NO_VIEWS, UNDECODABLE_IMAGE) and the probabilities are
 * null.
 *
 * @param malignancyLeft probability for the left breast, null when it has no view
 * @param suspicion exam suspicion: max over breasts with a view
 * @param risk cumulative probability of cancer within 1..5 years (length 5), null when unscorable
 * @param device the execution provider actually used: cuda or cpu
 */
public record ScoreResult(
    String examKey,
    boolean scorable,
    String unscorableReason,
    Double malignancyLeft,
    Double malignancyRight,
    Double suspicion,
    double[] risk,
    ModelInfo model,
    String device,
    double scoringMillis) {

  /**
   * Reason of a {@link ExamScoringService#scoreEncoded} call whose encodings are not all from the
   * active model: nothing was run.
   */
  public static final String ENCODED_BY_OTHER_MODEL = "ENCODED_BY_OTHER_MODEL";
}
