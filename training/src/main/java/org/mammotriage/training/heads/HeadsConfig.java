package org.mammotriage.training.heads;

/**
 * Shape of the heads: embedding size D of the image encoder, the risk transformer's width, depth
 * and heads, the number of yearly horizons, and how breasts are aggregated from views.
 */
public record HeadsConfig(
    int embeddingDim,
    int riskDim,
    int riskLayers,
    int riskHeads,
    int years,
    BreastAggregation aggregation) {

  public HeadsConfig {
    if (embeddingDim <= 0 || riskDim <= 0 || riskLayers < 0 || riskHeads <= 0 || years <= 0) {
      throw new IllegalArgumentException(
          "heads config needs positive sizes, got "
              + riskDim
              + "/"
              + riskLayers
              + "/"
              + riskHeads
              + "/"
              + years
              + " for embedding "
              + embeddingDim);
    }
    if (riskDim % riskHeads != 0) {
      throw new IllegalArgumentException(
          "riskDim " + riskDim + " must be divisible by riskHeads " + riskHeads);
    }
  }

  /** Small defaults for an embedding of size D: width 64, 2 layers, 4 heads, 5 years, MAX. */
  public static HeadsConfig defaults(int embeddingDim) {
    return new HeadsConfig(embeddingDim, 64, 2, 4, 5, BreastAggregation.MAX);
  }
}
