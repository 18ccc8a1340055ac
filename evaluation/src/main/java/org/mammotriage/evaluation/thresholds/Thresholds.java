package org.mammotriage.evaluation.thresholds;

import org.mammotriage.contract.ModelThresholds;

/**
 * Chosen thresholds with their provenance and the operating points they had on the validation set.
 */
public record Thresholds(
    double suspicious,
    double low,
    double risk5y,
    String provenance,
    OperatingPoint suspiciousPoint,
    OperatingPoint lowPoint) {

  public ModelThresholds toModelThresholds() {
    return new ModelThresholds(suspicious, low, risk5y, provenance);
  }
}
