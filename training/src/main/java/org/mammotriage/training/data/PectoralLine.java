package org.mammotriage.training.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the pectoral muscle of an MLO view (chest wall on the left): the bright wedge in the upper
 * corner whose edge is a line running down and towards the chest wall. GLAM removes this region
 * before local alignment (GLAM §2, Pre-processing, with a Hough detector); here the edge is found
 * row by row as the strongest bright-to-dark step inside the breast (the skin edge excluded) in the
 * upper three quarters of the image, and a line x = a + b·y is fitted to those steps with two
 * rounds of outlier rejection. An image without a clear wedge (a CC, or an MLO whose muscle is as
 * bright as dense tissue) gives {@link #NONE}: nothing is excluded.
 *
 * @param a the edge's column at the top row (pixels)
 * @param b its slope in columns per row (negative: the wedge narrows downwards)
 */
public record PectoralLine(double a, double b) {
  /** No pectoral muscle found. */
  public static final PectoralLine NONE = new PectoralLine(0, 0);

  public boolean found() {
    return a > 0 && b < 0;
  }

  /** Whether pixel (x, y) lies in the muscle. */
  public boolean contains(double x, double y) {
    return found() && x < a + b * y;
  }

  /**
   * The pectoral line of a normalised model image (h×w, chest wall left).
   *
   * @param background the normalised value of an empty pixel
   */
  public static PectoralLine estimate(float[] img, int h, int w, float background) {
    double minStep = 0.12 * std(img, background);
    List<double[]> points = new ArrayList<>();
    for (int y = 0; y < (int) (0.75 * h); y++) {
      double[] row = smoothRow(img, y, w);
      int edge = w - 1;
      while (edge > 0 && row[edge] <= background + 0.05 * Math.abs(background) + 1e-3) {
        edge--;
      }
      int best = -1;
      double bestStep = minStep;
      for (int x = 3; x < Math.min(edge - 6, (int) (0.8 * w)); x++) {
        double step =
            (row[x - 3] + row[x - 2] + row[x - 1] - row[x + 1] - row[x + 2] - row[x + 3]) / 3;
        if (step > bestStep) {
          bestStep = step;
          best = x;
        }
      }
      if (best > 0) {
        points.add(new double[] {y, best});
      }
    }
    double[] fit = fit(points);
    for (int round = 0; round < 2 && fit != null; round++) {
      List<double[]> inliers = new ArrayList<>();
      for (double[] p : points) {
        if (Math.abs(p[1] - (fit[0] + fit[1] * p[0])) < Math.max(2.0, 0.03 * w)) {
          inliers.add(p);
        }
      }
      points = inliers;
      fit = fit(points);
    }
    if (fit == null
        || points.size() < Math.max(6, (int) (0.12 * h))
        || fit[1] > -0.05
        || fit[0] < 3
        || fit[0] > 0.8 * w) {
      return NONE;
    }
    return new PectoralLine(fit[0], fit[1]);
  }

  /** Share of each cell of an fh×fw grid over the h×w image that lies in the muscle. */
  public float[] cellFractions(int h, int w, int fh, int fw) {
    float[] out = new float[fh * fw];
    if (!found()) {
      return out;
    }
    int sub = 4;
    for (int cy = 0; cy < fh; cy++) {
      for (int cx = 0; cx < fw; cx++) {
        int in = 0;
        for (int i = 0; i < sub; i++) {
          for (int j = 0; j < sub; j++) {
            double y = (cy + (i + 0.5) / sub) * h / fh;
            double x = (cx + (j + 0.5) / sub) * w / fw;
            in += contains(x, y) ? 1 : 0;
          }
        }
        out[cy * fw + cx] = (float) in / (sub * sub);
      }
    }
    return out;
  }

  private static double[] smoothRow(float[] img, int y, int w) {
    double[] r = new double[w];
    for (int x = 0; x < w; x++) {
      double s = 0;
      int n = 0;
      for (int d = -2; d <= 2; d++) {
        int xx = x + d;
        if (xx >= 0 && xx < w) {
          s += img[y * w + xx];
          n++;
        }
      }
      r[x] = s / n;
    }
    return r;
  }

  /** Spread of the non-background pixels, so the step threshold follows the normalisation. */
  private static double std(float[] img, float background) {
    double s = 0;
    double s2 = 0;
    int n = 0;
    for (float v : img) {
      if (v > background + 1e-3) {
        s += v;
        s2 += v * v;
        n++;
      }
    }
    if (n < 2) {
      return 1;
    }
    double m = s / n;
    return Math.sqrt(Math.max(1e-6, s2 / n - m * m));
  }

  /** Least squares x = a + b·y; null with fewer than 3 points. */
  private static double[] fit(List<double[]> pts) {
    if (pts.size() < 3) {
      return null;
    }
    double sy = 0;
    double sx = 0;
    double syy = 0;
    double sxy = 0;
    for (double[] p : pts) {
      sy += p[0];
      sx += p[1];
      syy += p[0] * p[0];
      sxy += p[0] * p[1];
    }
    int n = pts.size();
    double den = n * syy - sy * sy;
    if (Math.abs(den) < 1e-9) {
      return null;
    }
    double b = (n * sxy - sy * sx) / den;
    return new double[] {(sx - b * sy) / n, b};
  }
}
