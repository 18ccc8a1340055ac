package org.mammotriage.training.model;

/**
 * GLAM's AP slices measured in millimetres (GLAM §2.2, "AP Slice Sampling"): the g columns of the
 * super-patch grid are depth bins [c·D/g, (c+1)·D/g) from the chest wall, D being the deeper of the
 * two views' breast extents, so column c is the same physical depth in CC and MLO even though the
 * ingest crop scales the two views differently. A feature-map cell joins a column bin with the
 * share of its width that overlaps the bin; cells beyond D (padding) join none. Rows stay equal
 * bands of the image height. In the MLO the pectoral muscle is left out of the pooling (GLAM
 * removes it before alignment), weighted by the share of each cell inside it.
 *
 * <p>The result is the additive mask of {@link SuperPatchPooling} for one image (M × h·w,
 * row-major, log-weights, {@link ColumnPairing#BLOCKED} where a cell has no weight). A region whose
 * cells all have zero weight (e.g. entirely pectoral) falls back to its cells without the pectoral
 * exclusion, then to the plain grid region, so every super-patch stays defined.
 */
public final class DepthColumns {
  private DepthColumns() {}

  /**
   * One view at the feature map.
   *
   * @param mmPerColumn physical width of one feature-map column in mm (NaN when unknown: then the
   *     columns are equal fractions of the width, the old behaviour)
   * @param pectoral share of each feature cell (h·w, row-major) inside the pectoral muscle, or null
   */
  public record View(double mmPerColumn, float[] pectoral) {
    public static View unknown() {
      return new View(Double.NaN, null);
    }
  }

  /**
   * The additive region mask of one view.
   *
   * @param depthMm D, the depth the g columns divide (NaN: unknown)
   */
  public static float[] mask(int h, int w, int grid, View view, double depthMm) {
    int m = grid * grid;
    int n = h * w;
    float[] out = new float[m * n];
    boolean metric = Double.isFinite(view.mmPerColumn()) && Double.isFinite(depthMm) && depthMm > 0;
    for (int region = 0; region < m; region++) {
      double[] weights = weights(region, h, w, grid, view, depthMm, metric, true);
      if (sum(weights) <= 0) {
        weights = weights(region, h, w, grid, view, depthMm, metric, false);
      }
      if (sum(weights) <= 0) {
        weights = weights(region, h, w, grid, view, depthMm, false, false);
      }
      for (int cell = 0; cell < n; cell++) {
        out[region * n + cell] =
            weights[cell] > 1e-6 ? (float) Math.log(weights[cell]) : ColumnPairing.BLOCKED;
      }
    }
    return out;
  }

  private static double[] weights(
      int region,
      int h,
      int w,
      int grid,
      View view,
      double depthMm,
      boolean metric,
      boolean excludePectoral) {
    int row = ColumnPairing.row(region, grid);
    int col = ColumnPairing.column(region, grid);
    double[] out = new double[h * w];
    for (int y = 0; y < h; y++) {
      if ((int) ((long) y * grid / h) != row) {
        continue;
      }
      for (int x = 0; x < w; x++) {
        double c;
        if (metric) {
          double mm = view.mmPerColumn();
          double binLo = col * depthMm / grid;
          double binHi = (col + 1) * depthMm / grid;
          double overlap = Math.min((x + 1) * mm, binHi) - Math.max(x * mm, binLo);
          c = Math.max(0, overlap) / mm;
        } else {
          c = (int) ((long) x * grid / w) == col ? 1 : 0;
        }
        if (excludePectoral && view.pectoral() != null) {
          c *= 1 - view.pectoral()[y * w + x];
        }
        out[y * w + x] = c;
      }
    }
    return out;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}
