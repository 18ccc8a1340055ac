package org.mammotriage.synth;

import java.util.SplittableRandom;

/**
 * Draws a phantom mammogram in display sense (0 = air, 1 = densest), chest wall at column 0: breast
 * outline with skin line and thickness fall-off, pectoral muscle on MLO, fibroglandular texture
 * whose amount follows density, a faint oriented texture whose contrast grows with the latent risk,
 * and the breast's lesions.
 */
final class PhantomRenderer {
  /** MLO breasts are drawn taller than CC (the oblique projection includes the axillary tail). */
  static final double MLO_HEIGHT_FACTOR = 1.25;

  private static final double[] GLAND_THRESHOLD = {0.66, 0.56, 0.45, 0.34};

  private PhantomRenderer() {}

  /** Geometry of one view in pixels, shared by drawing and by tests that locate lesions. */
  record Geometry(
      int rows,
      int cols,
      double spacing,
      double centerY,
      double halfHeight,
      double depth,
      double pectoralWidth,
      double pectoralHeight) {

    /** Breast edge (distance from chest wall, px) at row y; 0 outside the breast. */
    double edgeAt(double y) {
      double u = (y - centerY) / halfHeight;
      return Math.abs(u) >= 1 ? 0 : depth * Math.sqrt(1 - u * u);
    }

    boolean inPectoral(double x, double y) {
      return pectoralWidth > 0
          && y < pectoralHeight
          && x < pectoralWidth * (1 - y / pectoralHeight);
    }

    /** Image position (x, y) of a lesion in this view. */
    double[] locate(Lesion l, boolean mlo) {
      return new double[] {
        l.depthMm() / spacing, centerY + (mlo ? l.mloOffsetMm() : l.ccOffsetMm()) / spacing
      };
    }
  }

  static Geometry geometry(Breast b, boolean mlo, int rows, int cols, double spacing) {
    BreastV2.ViewVariation var = variation(b, mlo);
    double halfMm = b.halfHeightMm() * (var == null ? 1 : var.halfHeightScale());
    double depthMm = b.depthMm() * (var == null ? 1 : var.depthScale());
    double half = halfMm * (mlo ? MLO_HEIGHT_FACTOR : 1.0) / spacing;
    half = Math.min(half, rows * 0.48);
    double cy = mlo ? rows * 0.52 : rows * 0.5;
    double depth = Math.min(depthMm / spacing, cols * 0.9);
    double pw = mlo ? depth * 0.45 : 0;
    double ph = mlo ? rows * 0.55 : 0;
    return new Geometry(rows, cols, spacing, cy, half, depth, pw, ph);
  }

  /** Renders one view into {@code out} (rows*cols, row-major). */
  static void render(
      float[] out, Geometry g, Breast b, boolean mlo, int density, double latentRisk, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int rows = g.rows();
    int cols = g.cols();
    // low-resolution texture lattice (about 2 mm per cell) upsampled bilinearly per pixel
    double cell = Math.max(1.0, 2.0 / g.spacing());
    int lr = (int) Math.ceil(rows / cell) + 2;
    int lc = (int) Math.ceil(cols / cell) + 2;
    float[] field = lowResTexture(lr, lc, rnd);
    double threshold = GLAND_THRESHOLD[density - 1] - 0.03 * latentRisk;
    double riskAmp =
        0.028 / (1 + Math.exp(-1.6 * latentRisk)); // 0..0.028: subtle, more for higher risk
    double theta = 0.6 + 0.3 * rnd.nextDouble();
    double period = 6.0 / g.spacing();
    double kx = Math.cos(theta) * 2 * Math.PI / period;
    double ky = Math.sin(theta) * 2 * Math.PI / period;
    double skin = Math.max(1.0, 1.2 / g.spacing());
    long noiseSeed = rnd.nextLong();
    double glandContrast = b.v2() == null ? 0.42 : PhantomV2.GLAND_CONTRAST;
    for (int y = 0; y < rows; y++) {
      double edge = g.edgeAt(y);
      double fy = y / cell;
      int iy = (int) fy;
      double wy = fy - iy;
      double vprof = 1 - 0.45 * Math.abs(y - g.centerY()) / g.halfHeight();
      int base = y * cols;
      for (int x = 0; x < cols; x++) {
        float v;
        if (x >= edge) {
          v = 0.015f + 0.01f * noise(noiseSeed, x, y);
        } else if (g.inPectoral(x, y)) {
          v =
              (float)
                  (0.70
                      + 0.10 * (1 - x / g.pectoralWidth())
                      + 0.05 * sample(field, lc, iy, wy, x / cell));
        } else {
          double r = x / edge;
          double thick = Math.sqrt(Math.max(0, 1 - r * r * r));
          double tex = sample(field, lc, iy, wy, x / cell) * vprof * (1.05 - 0.35 * r);
          double gland = smoothstep(threshold - 0.14, threshold + 0.14, tex);
          double val = 0.30 + glandContrast * gland + riskAmp * gland * Math.sin(kx * x + ky * y);
          val *= 0.55 + 0.45 * thick;
          if (edge - x < skin) {
            val += 0.07;
          }
          v = (float) (val + 0.008 * noise(noiseSeed, x, y));
        }
        out[base + x] = v;
      }
    }
    BreastV2.ViewVariation var = variation(b, mlo);
    for (int k = 0; k < b.lesions().size(); k++) {
      if (var == null) {
        drawLesion(out, g, b.lesions().get(k), mlo);
      } else {
        PhantomV2.drawLesion(out, g, b.lesions().get(k), mlo, var, k);
      }
    }
    if (b.v2() != null) {
      for (BreastV2.Landmark lm : b.v2().landmarks()) {
        PhantomV2.drawLandmark(out, g, lm, mlo);
      }
    }
    if (var != null) {
      PhantomV2.expose(out, g, var);
    }
  }

  /** The v2 variation of this view, or null (v1, or a breast without a reader's view data). */
  static BreastV2.ViewVariation variation(Breast b, boolean mlo) {
    return b.v2() == null ? null : b.v2().view(mlo);
  }

  private static float[] lowResTexture(int lr, int lc, SplittableRandom rnd) {
    float[] f = new float[lr * lc];
    // four octaves of value noise at 8, 4, 2 and 1 lattice cells, normalised to about [0, 1]
    double[] amps = {0.5, 0.27, 0.15, 0.08};
    int[] steps = {8, 4, 2, 1};
    for (int o = 0; o < 4; o++) {
      int s = steps[o];
      int gr = lr / s + 2;
      int gc = lc / s + 2;
      double[] lattice = new double[gr * gc];
      for (int i = 0; i < lattice.length; i++) {
        lattice[i] = rnd.nextDouble();
      }
      for (int y = 0; y < lr; y++) {
        double fy = (double) y / s;
        int iy = (int) fy;
        double wy = fy - iy;
        for (int x = 0; x < lc; x++) {
          double fx = (double) x / s;
          int ix = (int) fx;
          double wx = fx - ix;
          double a = lattice[iy * gc + ix] * (1 - wx) + lattice[iy * gc + ix + 1] * wx;
          double b = lattice[(iy + 1) * gc + ix] * (1 - wx) + lattice[(iy + 1) * gc + ix + 1] * wx;
          f[y * lc + x] += (float) (amps[o] * (a * (1 - wy) + b * wy));
        }
      }
    }
    return f;
  }

  private static double sample(float[] f, int lc, int iy, double wy, double fx) {
    int ix = (int) fx;
    double wx = fx - ix;
    int i = iy * lc + ix;
    double a = f[i] * (1 - wx) + f[i + 1] * wx;
    double b = f[i + lc] * (1 - wx) + f[i + lc + 1] * wx;
    return a * (1 - wy) + b * wy;
  }

  static double smoothstep(double e0, double e1, double x) {
    double t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
    return t * t * (3 - 2 * t);
  }

  /** Deterministic per-pixel noise in [-1, 1]. */
  private static float noise(long seed, int x, int y) {
    long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return ((h >>> 40) / (float) (1 << 24)) * 2 - 1;
  }

  private static void drawLesion(float[] out, Geometry g, Lesion l, boolean mlo) {
    double[] c = g.locate(l, mlo);
    double rpx = l.radiusMm() / g.spacing();
    SplittableRandom rnd = new SplittableRandom(l.shapeSeed());
    switch (l.type()) {
      case BENIGN_MASS -> drawMass(out, g, c, rpx, rnd, false);
      case MALIGNANT_MASS -> drawMass(out, g, c, rpx, rnd, true);
      case BENIGN_CALCIFICATION -> drawCalcifications(out, g, c, rpx, rnd, false);
      case MALIGNANT_CALCIFICATION -> drawCalcifications(out, g, c, rpx, rnd, true);
    }
  }

  static void drawMass(
      float[] out, Geometry g, double[] c, double r, SplittableRandom rnd, boolean malignant) {
    drawMass(out, g, c, r, rnd, malignant, 0, 1, 1);
  }

  /**
   * A mass; {@code rotate}, {@code aspectFactor} and {@code contrast} are v2's per-view changes (0,
   * 1, 1 in v1).
   */
  static void drawMass(
      float[] out,
      Geometry g,
      double[] c,
      double r,
      SplittableRandom rnd,
      boolean malignant,
      double rotate,
      double aspectFactor,
      double contrast) {
    double aspect = (1 + 0.4 * rnd.nextDouble()) * aspectFactor;
    double rot = rnd.nextDouble() * Math.PI + rotate;
    int lobes = 3 + rnd.nextInt(4);
    double[] phase = {rnd.nextDouble() * 6.3, rnd.nextDouble() * 6.3, rnd.nextDouble() * 6.3};
    int spicules = malignant ? 8 + rnd.nextInt(9) : 0;
    double[] spAngle = new double[spicules];
    double[] spLen = new double[spicules];
    for (int i = 0; i < spicules; i++) {
      spAngle[i] = rnd.nextDouble() * 2 * Math.PI;
      spLen[i] = r * (1.6 + 1.2 * rnd.nextDouble());
    }
    double reach = malignant ? r * 3.0 : r * 1.6;
    int x0 = (int) Math.max(0, c[0] - reach);
    int x1 = (int) Math.min(g.cols() - 1, c[0] + reach);
    int y0 = (int) Math.max(0, c[1] - reach);
    int y1 = (int) Math.min(g.rows() - 1, c[1] + reach);
    double width = Math.max(0.6, r * 0.06);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double dx = x - c[0];
        double dy = y - c[1];
        double rx = dx * Math.cos(rot) + dy * Math.sin(rot);
        double ry = (-dx * Math.sin(rot) + dy * Math.cos(rot)) * aspect;
        double dist = Math.sqrt(rx * rx + ry * ry);
        double ang = Math.atan2(ry, rx);
        double boundary = r;
        if (malignant) {
          boundary *=
              1
                  + 0.22 * Math.sin(lobes * ang + phase[0])
                  + 0.12 * Math.sin((lobes + 3) * ang + phase[1])
                  + 0.08 * Math.sin(11 * ang + phase[2]);
        } else {
          boundary *= 1 + 0.05 * Math.sin(2 * ang + phase[0]);
        }
        double add = 0;
        double t = dist / boundary;
        if (malignant) {
          add = 0.24 * (1 - smoothstep(0.75, 1.15, t)); // ill-defined margin
        } else {
          add =
              0.20 * (1 - smoothstep(0.96, 1.02, t)) * (0.85 + 0.15 * (1 - t * t)); // circumscribed
        }
        for (int s = 0; s < spicules; s++) {
          double px = Math.cos(spAngle[s]);
          double py = Math.sin(spAngle[s]);
          double along = dx * px + dy * py;
          if (along > 0 && along < spLen[s]) {
            double across = Math.abs(-dx * py + dy * px);
            double w = width * (1 - along / spLen[s]) + 0.3;
            if (across < w) {
              add = Math.max(add, 0.16 * (1 - along / spLen[s]) * (1 - across / w));
            }
          }
        }
        if (add > 0) {
          out[y * g.cols() + x] += (float) (add * contrast);
        }
      }
    }
  }

  private static void drawCalcifications(
      float[] out, Geometry g, double[] c, double r, SplittableRandom rnd, boolean malignant) {
    int n = malignant ? 12 + rnd.nextInt(14) : 3 + rnd.nextInt(5);
    double lineAngle = rnd.nextDouble() * Math.PI;
    for (int i = 0; i < n; i++) {
      double px;
      double py;
      if (malignant && rnd.nextDouble() < 0.6) { // linear / segmental arrangement
        double t = (rnd.nextDouble() * 2 - 1) * r;
        px = c[0] + t * Math.cos(lineAngle) + rnd.nextGaussian() * r * 0.12;
        py = c[1] + t * Math.sin(lineAngle) + rnd.nextGaussian() * r * 0.12;
      } else {
        px = c[0] + rnd.nextGaussian() * r * 0.45;
        py = c[1] + rnd.nextGaussian() * r * 0.45;
      }
      double sr =
          (malignant ? 0.12 + 0.2 * rnd.nextDouble() : 0.3 + 0.25 * rnd.nextDouble()) / g.spacing();
      sr = Math.max(0.7, sr);
      int x0 = (int) Math.max(0, px - sr - 1);
      int x1 = (int) Math.min(g.cols() - 1, px + sr + 1);
      int y0 = (int) Math.max(0, py - sr - 1);
      int y1 = (int) Math.min(g.rows() - 1, py + sr + 1);
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          double d = Math.hypot(x - px, y - py) / sr;
          if (d < 1.2) {
            out[y * g.cols() + x] += (float) (0.5 * (1 - smoothstep(0.7, 1.2, d)));
          }
        }
      }
    }
  }
}
