package org.mammotriage.imaging;

/**
 * Separable area-averaging resize (each output pixel is the mean of the input area it covers,
 * fractional edges weighted). One implementation for ingest (working image) and scoring/training
 * (model input), so both see the same pixels.
 */
public final class AreaResize {
  private AreaResize() {}

  public static float[] resize(float[] src, int rows, int cols, int h, int w) {
    float[] tmp = new float[rows * w];
    int[] cs = new int[w];
    float[][] cw = weights(cols, w, cs);
    for (int y = 0; y < rows; y++) {
      int base = y * cols;
      for (int x = 0; x < w; x++) {
        float acc = 0;
        float[] wt = cw[x];
        int s = base + cs[x];
        for (int k = 0; k < wt.length; k++) {
          acc += src[s + k] * wt[k];
        }
        tmp[y * w + x] = acc;
      }
    }
    float[] out = new float[h * w];
    int[] rs = new int[h];
    float[][] rw = weights(rows, h, rs);
    for (int y = 0; y < h; y++) {
      float[] wt = rw[y];
      for (int k = 0; k < wt.length; k++) {
        float f = wt[k];
        int row = (rs[y] + k) * w;
        int o = y * w;
        for (int x = 0; x < w; x++) {
          out[o + x] += tmp[row + x] * f;
        }
      }
    }
    return out;
  }

  /**
   * Resizes a {@code ch}×{@code cw} canvas to h×w, where the canvas holds the region (x0, y0, bw,
   * bh) of {@code src} (row stride {@code stride}) at row offset {@code yOff} and column 0, and
   * zeros elsewhere.
   */
  public static float[] resizeRegion(
      float[] src,
      int stride,
      int x0,
      int y0,
      int bw,
      int bh,
      int ch,
      int cw,
      int yOff,
      int h,
      int w) {
    float[] tmp = new float[ch * w];
    int[] cs = new int[w];
    float[][] cwt = weights(cw, w, cs);
    for (int y = 0; y < bh; y++) {
      int base = (y0 + y) * stride + x0;
      int trow = (y + yOff) * w;
      for (int x = 0; x < w; x++) {
        float acc = 0;
        float[] wt = cwt[x];
        int s = cs[x];
        int n = Math.min(wt.length, bw - s);
        for (int k = 0; k < n; k++) {
          acc += src[base + s + k] * wt[k];
        }
        tmp[trow + x] = acc;
      }
    }
    float[] out = new float[h * w];
    int[] rs = new int[h];
    float[][] rw = weights(ch, h, rs);
    for (int y = 0; y < h; y++) {
      float[] wt = rw[y];
      for (int k = 0; k < wt.length; k++) {
        float f = wt[k];
        int row = (rs[y] + k) * w;
        int o = y * w;
        for (int x = 0; x < w; x++) {
          out[o + x] += tmp[row + x] * f;
        }
      }
    }
    return out;
  }

  /** Resizes 8-bit gray pixels (row-major) to h×w floats in 0..255. */
  public static float[] resize(byte[] src, int rows, int cols, int h, int w) {
    float[] f = new float[src.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = src[i] & 0xff;
    }
    return resize(f, rows, cols, h, w);
  }

  private static float[][] weights(int n, int m, int[] starts) {
    double ratio = (double) n / m;
    float[][] w = new float[m][];
    for (int i = 0; i < m; i++) {
      double a = i * ratio;
      double b = (i + 1) * ratio;
      int s = (int) Math.floor(a);
      int e = Math.min(n, (int) Math.ceil(b));
      starts[i] = s;
      w[i] = new float[Math.max(1, e - s)];
      for (int k = s; k < e; k++) {
        double cover = Math.min(b, k + 1) - Math.max(a, k);
        w[i][k - s] = (float) (cover / ratio);
      }
    }
    return w;
  }
}
