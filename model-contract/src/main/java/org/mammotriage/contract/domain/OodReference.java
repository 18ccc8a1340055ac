package org.mammotriage.contract.domain;

import java.util.List;

/**
 * Out-of-distribution reference of a model's image encoder, in the style of Lee et al. 2018 ("A
 * Simple Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks"): one
 * Gaussian per feature layer (mean and shrunk covariance, stored inverted as the precision) fitted
 * on in-domain views; a view's score is the largest over layers of its squared Mahalanobis distance
 * divided by that layer's {@code scale} (the median distance of the threshold set), and the view is
 * out of domain when its score exceeds {@code threshold}, chosen on validation at a stated
 * false-flag rate.
 *
 * <p>Two inputs: {@link #INPUT_EMBEDDING} (one layer, the encoder's {@code embedding} output;
 * method {@link #MAHALANOBIS}) or {@link #INPUT_FEATURES} (the encoder's {@code ood_features}
 * output: pooled mean and standard deviation of intermediate activations and the embedding,
 * concatenated; each layer a slice of it; method {@link #MAHALANOBIS_LAYERS}).
 *
 * @param method {@link #MAHALANOBIS} or {@link #MAHALANOBIS_LAYERS}
 * @param input which encoder output the layers slice
 * @param featureDim the length of that output per view
 * @param layers the per-layer Gaussians
 * @param threshold the combined score above which a view is out of domain
 * @param falseFlagRate the share of the validation set flagged the threshold choice targets
 * @param validationViews how many views the threshold was chosen on
 * @param validationSet which sets and how, in words
 */
public record OodReference(
    String method,
    String input,
    int featureDim,
    List<Layer> layers,
    double threshold,
    double falseFlagRate,
    int validationViews,
    String validationSet) {

  public static final String MAHALANOBIS = "mahalanobis";
  public static final String MAHALANOBIS_LAYERS = "mahalanobis_layers";
  public static final List<String> METHODS = List.of(MAHALANOBIS, MAHALANOBIS_LAYERS);

  /** The encoder output {@code embedding}. */
  public static final String INPUT_EMBEDDING = "image_encoder.embedding";

  /** The encoder output {@code ood_features}. */
  public static final String INPUT_FEATURES = "image_encoder.ood_features";

  /** The name of the extra encoder output the layered method reads. */
  public static final String FEATURES_OUTPUT = "ood_features";

  public OodReference {
    layers = List.copyOf(layers);
  }

  /**
   * One layer's Gaussians over {@code features[offset, offset + dim)}: as in Lee et al. 2018, one
   * mean per class with a tied (shared) covariance; the classes here are clusters of the in-domain
   * views (k-means on the layer's features: detector, density and view make the pooled activations
   * multi-modal). The distance is the smallest over the means.
   *
   * @param name the layer (e.g. the activation it pools), for reports
   * @param means one or more class means, each of the layer's width
   * @param precision the inverse of {@code (1 − shrinkage) S + shrinkage · (tr S / D) I}, S the
   *     pooled within-class covariance
   * @param scale the divisor of the squared distance (the threshold set's median), so that layers
   *     of different width are comparable
   */
  public record Layer(
      String name,
      int offset,
      double[][] means,
      double[][] precision,
      double shrinkage,
      double scale) {
    /** One mean. */
    public Layer(
        String name,
        int offset,
        double[] mean,
        double[][] precision,
        double shrinkage,
        double scale) {
      this(name, offset, new double[][] {mean}, precision, shrinkage, scale);
    }

    public int dim() {
      return means[0].length;
    }

    /** The first (or only) mean. */
    public double[] mean() {
      return means[0];
    }

    /** The smallest squared Mahalanobis distance of the layer's slice of {@code features}. */
    public double distance(float[] features) {
      double best = Double.POSITIVE_INFINITY;
      for (double[] mean : means) {
        best = Math.min(best, distance(features, mean));
      }
      return best;
    }

    private double distance(float[] features, double[] mean) {
      int d = mean.length;
      double[] x = new double[d];
      for (int i = 0; i < d; i++) {
        x[i] = features[offset + i] - mean[i];
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
      return Double.isNaN(s) ? Double.NaN : s;
    }
  }

  /** Whether the reference reads the encoder's {@code ood_features} output. */
  public boolean readsFeatures() {
    return INPUT_FEATURES.equals(input);
  }

  /** The per-layer scaled distances of one view's features. */
  public double[] layerScores(float[] features) {
    if (features.length != featureDim) {
      throw new IllegalArgumentException(
          input + " has " + features.length + " values, the OOD reference " + featureDim);
    }
    double[] s = new double[layers.size()];
    for (int i = 0; i < s.length; i++) {
      Layer l = layers.get(i);
      s[i] = l.distance(features) / l.scale();
    }
    return s;
  }

  /** The view's OOD score: the largest scaled layer distance (NaN for non-finite features). */
  public double score(float[] features) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : layerScores(features)) {
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      m = Math.max(m, v);
    }
    return m;
  }

  /** True when the view scores above the threshold (a non-finite score is out of domain). */
  public boolean outOfDomain(float[] features) {
    return outOfDomain(score(features));
  }

  /** True when a score is above the threshold or not a number. */
  public boolean outOfDomain(double score) {
    return !(score <= threshold);
  }
}
