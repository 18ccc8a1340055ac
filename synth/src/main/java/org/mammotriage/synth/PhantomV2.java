package org.mammotriage.synth;

import java.util.SplittableRandom;

/**
 * Benchmark v2's drawing on top of {@link PhantomRenderer}: lesions with per-view contrast,
 * rotation and aspect (partly hidden or deformed in one view), calcification specks large enough to
 * survive the resize to the model input, landmarks, and the per-view exposure.
 */
final class PhantomV2 {
  /** Contrast of v2 masses relative to v1's. */
  static final double MASS_CONTRAST = 1.4;

  /** Peak contrast of one calcification speck (v1: 0.5). */
  static final double SPECK_CONTRAST = 0.5;

  /** Brightness of fibroglandular tissue over fat (v1: 0.42): less mass-like clutter. */
  static final double GLAND_CONTRAST = 0.32;

  /**
   * Speck radii in mm: malignant 0.45–0.75, benign 0.7–1.1 (v1: 0.12–0.32 and 0.3–0.55, below a
   * pixel of the 256×160 model input, where one pixel is about 0.5–0.9 mm of breast).
   */
  static final double[] MALIGNANT_SPECK_MM = {0.45, 0.30};

  static final double[] BENIGN_SPECK_MM = {0.70, 0.40};

  private PhantomV2() {}

  static void drawLesion(
      float[] out,
      PhantomRenderer.Geometry g,
      Lesion l,
      boolean mlo,
      BreastV2.ViewVariation var,
      int k) {
    double[] c = g.locate(l, mlo);
    double rpx = l.radiusMm() / g.spacing();
    SplittableRandom rnd = new SplittableRandom(l.shapeSeed());
    double contrast = var.lesionContrast()[k];
    double rotate = var.lesionRotation()[k];
    switch (l.type()) {
      case BENIGN_MASS, MALIGNANT_MASS ->
          PhantomRenderer.drawMass(
              out,
              g,
              c,
              rpx,
              rnd,
              l.type().malignant(),
              rotate,
              var.lesionAspect()[k],
              contrast * MASS_CONTRAST);
      case BENIGN_CALCIFICATION, MALIGNANT_CALCIFICATION ->
          drawCalcifications(out, g, c, rpx, rnd, l.type().malignant(), rotate, contrast);
    }
  }

  /**
   * A cluster: the same arrangement in both views (same seed), turned by the view's rotation; fine
   * linear/segmental specks when malignant, fewer coarse round ones when benign.
   */
  private static void drawCalcifications(
      float[] out,
      PhantomRenderer.Geometry g,
      double[] c,
      double r,
      SplittableRandom rnd,
      boolean malignant,
      double rotate,
      double contrast) {
    int n = malignant ? 12 + rnd.nextInt(14) : 3 + rnd.nextInt(5);
    double lineAngle = rnd.nextDouble() * Math.PI;
    double cos = Math.cos(rotate);
    double sin = Math.sin(rotate);
    double[] size = malignant ? MALIGNANT_SPECK_MM : BENIGN_SPECK_MM;
    for (int i = 0; i < n; i++) {
      double dx;
      double dy;
      if (malignant && rnd.nextDouble() < 0.6) {
        double t = (rnd.nextDouble() * 2 - 1) * r;
        dx = t * Math.cos(lineAngle) + rnd.nextGaussian() * r * 0.12;
        dy = t * Math.sin(lineAngle) + rnd.nextGaussian() * r * 0.12;
      } else {
        dx = rnd.nextGaussian() * r * 0.45;
        dy = rnd.nextGaussian() * r * 0.45;
      }
      double px = c[0] + cos * dx - sin * dy;
      double py = c[1] + sin * dx + cos * dy;
      double sr = Math.max(0.7, (size[0] + size[1] * rnd.nextDouble()) / g.spacing());
      int x0 = (int) Math.max(0, px - sr - 1);
      int x1 = (int) Math.min(g.cols() - 1, px + sr + 1);
      int y0 = (int) Math.max(0, py - sr - 1);
      int y1 = (int) Math.min(g.rows() - 1, py + sr + 1);
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          double d = Math.hypot(x - px, y - py) / sr;
          if (d < 1.2) {
            out[y * g.cols() + x] +=
                (float) (SPECK_CONTRAST * contrast * (1 - PhantomRenderer.smoothstep(0.7, 1.2, d)));
          }
        }
      }
    }
  }

  /** A bright vessel-like segment with a soft cross profile, at the view's own angle. */
  static void drawLandmark(
      float[] out, PhantomRenderer.Geometry g, BreastV2.Landmark lm, boolean mlo) {
    double cx = lm.depthMm() / g.spacing();
    double cy = g.centerY() + (mlo ? lm.mloOffsetMm() : lm.ccOffsetMm()) / g.spacing();
    double angle = mlo ? lm.mloAngle() : lm.ccAngle();
    double half = lm.lengthMm() / 2 / g.spacing();
    double w = Math.max(0.8, lm.widthMm() / 2 / g.spacing());
    double ux = Math.cos(angle);
    double uy = Math.sin(angle);
    double reach = half + w + 1;
    int x0 = (int) Math.max(0, cx - reach);
    int x1 = (int) Math.min(g.cols() - 1, cx + reach);
    int y0 = (int) Math.max(0, cy - reach);
    int y1 = (int) Math.min(g.rows() - 1, cy + reach);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double dx = x - cx;
        double dy = y - cy;
        double along = dx * ux + dy * uy;
        double across = Math.abs(-dx * uy + dy * ux);
        if (Math.abs(along) < half && across < 2 * w) {
          double taper = 1 - PhantomRenderer.smoothstep(0.7, 1.0, Math.abs(along) / half);
          double profile = 1 - PhantomRenderer.smoothstep(0.5, 2.0, across / w);
          out[y * g.cols() + x] += (float) (lm.contrast() * taper * profile);
        }
      }
    }
  }

  /**
   * Exposure floor: tissue stays above it, so that ingest's breast crop (a threshold on display
   * values) still finds the whole breast.
   */
  static final double EXPOSURE_BASE = 0.1;

  /**
   * The view's exposure inside the breast: v → base + offset + gain · (v − base)^gamma, with base =
   * {@value #EXPOSURE_BASE}.
   */
  static void expose(float[] out, PhantomRenderer.Geometry g, BreastV2.ViewVariation var) {
    for (int y = 0; y < g.rows(); y++) {
      double edge = g.edgeAt(y);
      int base = y * g.cols();
      for (int x = 0; x < Math.min(g.cols(), (int) Math.ceil(edge)); x++) {
        double v = Math.max(0, out[base + x] - EXPOSURE_BASE);
        out[base + x] =
            (float) (EXPOSURE_BASE + var.offset() + var.gain() * Math.pow(v, var.gamma()));
      }
    }
  }
}
