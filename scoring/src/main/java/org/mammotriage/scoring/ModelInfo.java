package org.mammotriage.scoring;

import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.contract.domain.ValidatedDomain;

/**
 * Identity of a loaded model, reported with every score.
 *
 * @param sha256 contract 1: the sha256 of {@code exam_scorer.onnx}; contract 2: the sha256 of the
 *     encoder's and the head's sha256s together (see {@code ModelDirectory}), so a change of either
 *     file is a new model
 * @param contractVersion the model directory's contract ({@link ModelManifest#CONTRACT_V1} or
 *     {@link ModelManifest#CONTRACT_V2})
 * @param domain the model's validated domain ({@code model.json} {@code domain}), or null: the
 *     model has none and exams are not checked
 */
public record ModelInfo(
    String name,
    String version,
    String sha256,
    String intendedUse,
    ModelThresholds thresholds,
    int contractVersion,
    ValidatedDomain domain) {

  /** A model without a domain section. */
  public ModelInfo(
      String name,
      String version,
      String sha256,
      String intendedUse,
      ModelThresholds thresholds,
      int contractVersion) {
    this(name, version, sha256, intendedUse, thresholds, contractVersion, null);
  }

  /** A contract-1 model. */
  public ModelInfo(
      String name, String version, String sha256, String intendedUse, ModelThresholds thresholds) {
    this(name, version, sha256, intendedUse, thresholds, ModelManifest.CONTRACT_V1);
  }

  /** {@code name:version:first 12 hex of the sha256}. */
  public String id() {
    return name + ":" + version + ":" + (sha256.length() > 12 ? sha256.substring(0, 12) : sha256);
  }

  /** True when the model encodes views one by one (contract 2). */
  public boolean encodesViews() {
    return contractVersion == ModelManifest.CONTRACT_V2;
  }
}
