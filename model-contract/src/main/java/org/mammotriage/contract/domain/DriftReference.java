package org.mammotriage.contract.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What drift monitoring compares a source's recent exams with: histograms of the validation set
 * (per view: OOD score, input mean and std; per exam: suspicion) and its category shares, from the
 * same {@code ./run train domain} run as the domain ({@code model.json} {@code domain.reference}).
 *
 * @param histograms by statistic ({@link #OOD_SCORE}, {@link #IMAGE_MEAN}, {@link #IMAGE_STD},
 *     {@link #SUSPICION})
 * @param categoryShares share of validation exams per category label at the model's thresholds
 * @param how which set, in words
 */
public record DriftReference(
    Map<String, Histogram> histograms, Map<String, Double> categoryShares, String how) {

  public static final String OOD_SCORE = "ood_score";
  public static final String IMAGE_MEAN = "image_mean";
  public static final String IMAGE_STD = "image_std";
  public static final String SUSPICION = "suspicion";
  public static final List<String> STATISTICS =
      List.of(SUSPICION, OOD_SCORE, IMAGE_MEAN, IMAGE_STD);

  public DriftReference {
    histograms = new LinkedHashMap<>(histograms);
    categoryShares = new LinkedHashMap<>(categoryShares);
  }

  /**
   * Counts over bins: value v falls in bin i when {@code edges[i] <= v < edges[i+1]}; values below
   * the first edge count in the first bin, at or above the last in the last.
   */
  public record Histogram(double[] edges, long[] counts) {
    public Histogram {
      if (edges.length != counts.length + 1 || counts.length == 0) {
        throw new IllegalArgumentException("a histogram needs bins + 1 edges");
      }
    }

    public int bin(double v) {
      int n = counts.length;
      if (!(v >= edges[1])) {
        return 0; // and NaN
      }
      if (v >= edges[n - 1]) {
        return n - 1;
      }
      int lo = 1;
      int hi = n - 1;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (v >= edges[mid]) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /** Empty counts over the same bins. */
    public long[] emptyCounts() {
      return new long[counts.length];
    }

    /** Equal-width bins from min to max, counted over values. */
    public static Histogram of(double min, double max, int bins, double[] values) {
      double[] e = new double[bins + 1];
      for (int i = 0; i <= bins; i++) {
        e[i] = min + (max - min) * i / bins;
      }
      Histogram h = new Histogram(e, new long[bins]);
      for (double v : values) {
        h.counts[h.bin(v)]++;
      }
      return h;
    }
  }

  /**
   * Population stability index of {@code actual} against {@code expected} counts over the same
   * bins: {@code Σ (a − e) ln(a / e)} over bin shares, each share floored at 1e-4 so empty bins
   * stay finite. Below 0.1 stable, 0.1..0.2 moderate, above 0.2 a significant shift (the usual
   * reading).
   */
  public static double psi(long[] expected, long[] actual) {
    double te = 0;
    double ta = 0;
    for (int i = 0; i < expected.length; i++) {
      te += expected[i];
      ta += actual[i];
    }
    if (te == 0 || ta == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(1e-4, expected[i] / te);
      double a = Math.max(1e-4, actual[i] / ta);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}
