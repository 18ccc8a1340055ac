package org.mammotriage.training.augment;

import java.util.Random;

/**
 * The image augmentation every pretraining objective uses: a random affine transformation and an
 * elastic deformation with MV-MLM's parameters (MV-MLM §4.2, taken from Mammo-CLIP §3): rotation up
 * to ±20°, translation up to 10 % of each side (the papers' "translation of 0.1", Mammo-CLIP's
 * {@code translate_percent=0.1}), scale in [0.8, 1.2], shear up to ±20° (along x, torchvision's
 * convention for a single shear value), and an elastic field with α = 10, σ = 5 (Simard et al.:
 * uniform noise in [−1, 1] smoothed by a Gaussian of σ pixels and multiplied by α). Each is applied
 * with probability 0.5, the albumentations default those pipelines run with. Pixels are resampled
 * bilinearly around the image centre; what comes from outside the image is the background value.
 *
 * <p>Deterministic: everything is drawn from the {@link Random} the caller passes, which the
 * trainer derives from (seed, step, sample, view).
 */
public final class Augmentation {
  /** Parameters of the affine and elastic transformations. */
  public record Params(
      double maxRotationDegrees,
      double maxTranslate,
      double minScale,
      double maxScale,
      double maxShearDegrees,
      double elasticAlpha,
      double elasticSigma,
      double affineProbability,
      double elasticProbability) {

    /** MV-MLM §4.2 / Mammo-CLIP's parameters. */
    public static Params mvMlm() {
      return new Params(20, 0.1, 0.8, 1.2, 20, 10, 5, 0.5, 0.5);
    }

    /** No augmentation. */
    public static Params none() {
      return new Params(0, 0, 1, 1, 0, 0, 5, 0, 0);
    }
  }

  private Augmentation() {}

  /**
   * A new augmented copy of {@code img} (h×w, row-major).
   *
   * @param fill the value of pixels mapped from outside the image (the normalised background)
   */
  public static float[] apply(float[] img, int h, int w, float fill, Params p, Random rnd) {
    float[] out = img;
    // draw both decisions first, so that the stream of random numbers has a fixed layout
    boolean affine = rnd.nextDouble() < p.affineProbability();
    boolean elastic = rnd.nextDouble() < p.elasticProbability();
    double[] a = affineDraw(p, rnd);
    long elasticSeed = rnd.nextLong();
    if (affine) {
      out = affine(out, h, w, fill, a);
    }
    if (elastic) {
      out = elastic(out, h, w, fill, p.elasticAlpha(), p.elasticSigma(), new Random(elasticSeed));
    }
    return out == img ? img.clone() : out;
  }

  /** {rotation rad, tx px-fraction, ty, scale, shear rad}. */
  private static double[] affineDraw(Params p, Random rnd) {
    double rot = Math.toRadians((rnd.nextDouble() * 2 - 1) * p.maxRotationDegrees());
    double tx = (rnd.nextDouble() * 2 - 1) * p.maxTranslate();
    double ty = (rnd.nextDouble() * 2 - 1) * p.maxTranslate();
    double scale = p.minScale() + rnd.nextDouble() * (p.maxScale() - p.minScale());
    double shear = Math.toRadians((rnd.nextDouble() * 2 - 1) * p.maxShearDegrees());
    return new double[] {rot, tx, ty, scale, shear};
  }

  /**
   * Affine transform about the centre: x' = c + t + R·Sh·S·(x − c). Each output pixel samples the
   * input at the inverse image.
   *
   * @param a {rotation (rad), tx (fraction of w), ty (fraction of h), scale, x-shear (rad)}
   */
  public static float[] affine(float[] img, int h, int w, float fill, double[] a) {
    double cos = Math.cos(a[0]);
    double sin = Math.sin(a[0]);
    double sh = Math.tan(a[4]);
    double s = a[3];
    // forward M = R · Sh · S with Sh = [[1, sh], [0, 1]]
    double m00 = cos * s;
    double m01 = (cos * sh - sin) * s;
    double m10 = sin * s;
    double m11 = (sin * sh + cos) * s;
    double det = m00 * m11 - m01 * m10;
    double i00 = m11 / det;
    double i01 = -m01 / det;
    double i10 = -m10 / det;
    double i11 = m00 / det;
    double cx = (w - 1) / 2.0;
    double cy = (h - 1) / 2.0;
    double tx = a[1] * w;
    double ty = a[2] * h;
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dx = x - cx - tx;
        double dy = y - cy - ty;
        double sx = cx + i00 * dx + i01 * dy;
        double sy = cy + i10 * dx + i11 * dy;
        out[y * w + x] = bilinear(img, h, w, sx, sy, fill);
      }
    }
    return out;
  }

  /** Elastic deformation (Simard et al. 2003) with displacement α·G_σ * U(−1, 1). */
  public static float[] elastic(
      float[] img, int h, int w, float fill, double alpha, double sigma, Random rnd) {
    double[] dx = new double[h * w];
    double[] dy = new double[h * w];
    for (int i = 0; i < dx.length; i++) {
      dx[i] = rnd.nextDouble() * 2 - 1;
      dy[i] = rnd.nextDouble() * 2 - 1;
    }
    dx = gaussianBlur(dx, h, w, sigma);
    dy = gaussianBlur(dy, h, w, sigma);
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        out[i] = bilinear(img, h, w, x + alpha * dx[i], y + alpha * dy[i], fill);
      }
    }
    return out;
  }

  /** Separable Gaussian blur (kernel radius 3σ, edges clamped). */
  static double[] gaussianBlur(double[] v, int h, int w, double sigma) {
    int r = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    double[] tmp = new double[v.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = -r; i <= r; i++) {
          s += k[i + r] * v[y * w + Math.min(w - 1, Math.max(0, x + i))];
        }
        tmp[y * w + x] = s;
      }
    }
    double[] out = new double[v.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = -r; i <= r; i++) {
          s += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
        }
        out[y * w + x] = s;
      }
    }
    return out;
  }

  /** Bilinear sample at (x, y); outside the image the fill value. */
  static float bilinear(float[] img, int h, int w, double x, double y, float fill) {
    if (x < -1 || y < -1 || x > w || y > h) {
      return fill;
    }
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    double v00 = at(img, h, w, x0, y0, fill);
    double v01 = at(img, h, w, x0 + 1, y0, fill);
    double v10 = at(img, h, w, x0, y0 + 1, fill);
    double v11 = at(img, h, w, x0 + 1, y0 + 1, fill);
    return (float) ((v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy);
  }

  private static float at(float[] img, int h, int w, int x, int y, float fill) {
    return x < 0 || y < 0 || x >= w || y >= h ? fill : img[y * w + x];
  }
}
