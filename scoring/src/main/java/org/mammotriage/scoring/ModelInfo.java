package org.mammotriage.scoring;

import org.mammotriage.contract.ModelThresholds;

/** Identity of a loaded model, reported with every score. */
public record ModelInfo(
    String name, String version, String sha256, String intendedUse, ModelThresholds thresholds) {

  /** {@code name:version:first 12 hex of the sha256}. */
  public String id() {
    return name + ":" + version + ":" + (sha256.length() > 12 ? sha256.substring(0, 12) : sha256);
  }
}
