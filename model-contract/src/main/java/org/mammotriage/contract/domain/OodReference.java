package org.mammotriage.contract.domain;

import java.util.List;

/**
 * Out-of-distribution reference on the image encoder's embeddings: a Gaussian fitted on the
 * validation views (mean, shrunk covariance stored as its inverse, the precision), the squared
 * Mahalanobis distance as the score, and a threshold chosen on validation as the quantile {@code 1
 * − falseFlagRate} of the validation views' scores. A view scoring above the threshold is out of
 * domain.
 *
 * @param method {@code "mahalanobis"} (the only one this reader knows)
 * @param mean the validation embeddings' mean, length D
 * @param precision the inverse of {@code (1 − shrinkage) S + shrinkage · (tr S / D) I}, D×D
 * @param threshold the squared distance above which a view is out of domain
 * @param falseFlagRate the share of validation views above the threshold the choice targets
 * @param validationViews how many views the reference was fitted and the threshold chosen on
 * @param validationSet which set, in words
 */
public record OodReference(
    String method,
    double[] mean,
    double[][] precision,
    double shrinkage,
    double threshold,
    double falseFlagRate,
    int validationViews,
    String validationSet) {

  public static final String MAHALANOBIS = "mahalanobis";
  public static final List<String> METHODS = List.of(MAHALANOBIS);

  public int dim() {
    return mean.length;
  }

  /** The squared Mahalanobis distance of one embedding to the validation Gaussian. */
  public double score(float[] embedding) {
    int d = mean.length;
    if (embedding.length != d) {
      throw new IllegalArgumentException(
          "embedding has " + embedding.length + " values, the OOD reference " + d);
    }
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      x[i] = embedding[i] - mean[i];
    }
    double s = 0;
    for (int i = 0; i < d; i++) {
      double row = 0;
      double[] p = precision[i];
      for (int j = 0; j < d; j++) {
        row += p[j] * x[j];
      }
      s += x[i] * row;
    }
    return s;
  }

  /** True when the embedding is farther from the validation views than the threshold. */
  public boolean outOfDomain(float[] embedding) {
    double s = score(embedding);
    return !(s <= threshold);
  }
}
