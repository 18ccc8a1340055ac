package org.mammotriage.contract.image;

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
    return resizeRows(tmp, rows, h, w);
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
    // rows are independent: large regions are split in bands over the cores (each row computed
    // exactly as one thread would, so the result does not depend on the split)
    bands(
        bh,
        (long) bh * bw,
        (from, to) -> {
          for (int y = from; y < to; y++) {
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
        });
    return resizeRows(tmp, ch, h, w);
  }

  /** Gives one row of an image: pixels x0 .. x0+len−1 of row y into {@code into[0..len)}. */
  @FunctionalInterface
  public interface RowSource {
    void row(int y, int x0, int len, float[] into);
  }

  /**
   * As {@link #resizeRegion(float[], int, int, int, int, int, int, int, int, int, int)}, with the
   * region's rows fetched one at a time from {@code src} (so the image need not exist as floats);
   * the sums are the same, in the same order, so the result is identical.
   */
  public static float[] resizeRegion(
      RowSource src, int x0, int y0, int bw, int bh, int ch, int cw, int yOff, int h, int w) {
    float[] tmp = new float[ch * w];
    int[] cs = new int[w];
    float[][] cwt = weights(cw, w, cs);
    bands(
        bh,
        (long) bh * bw,
        (from, to) -> {
          float[] row = new float[bw];
          for (int y = from; y < to; y++) {
            src.row(y0 + y, x0, bw, row);
            int trow = (y + yOff) * w;
            for (int x = 0; x < w; x++) {
              float acc = 0;
              float[] wt = cwt[x];
              int s = cs[x];
              int n = Math.min(wt.length, bw - s);
              for (int k = 0; k < n; k++) {
                acc += row[s + k] * wt[k];
              }
              tmp[trow + x] = acc;
            }
          }
        });
    return resizeRows(tmp, ch, h, w);
  }

  /** Work (input pixels) from which {@link #bands} uses more than one thread. */
  static final long PARALLEL_MIN_WORK = 1L << 20;

  /**
   * Runs {@code body} over [0, n) in contiguous bands, one per core when {@code work} is at least
   * {@link #PARALLEL_MIN_WORK}, else in the calling thread.
   */
  static void bands(int n, long work, java.util.function.BiConsumer<Integer, Integer> body) {
    int k = work >= PARALLEL_MIN_WORK ? Math.min(n, Runtime.getRuntime().availableProcessors()) : 1;
    if (k <= 1) {
      body.accept(0, n);
      return;
    }
    int step = (n + k - 1) / k;
    java.util.stream.IntStream.range(0, k)
        .parallel()
        .forEach(b -> body.accept(b * step, Math.min(n, (b + 1) * step)));
  }

  /** The second pass: {@code rows} rows of w columns (already resized) to h rows. */
  private static float[] resizeRows(float[] tmp, int rows, int h, int w) {
    float[] out = new float[h * w];
    int[] rs = new int[h];
    float[][] rw = weights(rows, h, rs);
    bands(
        h,
        (long) rows * w,
        (from, to) -> {
          for (int y = from; y < to; y++) {
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
        });
    return out;
  }

  /** Resizes 8-bit gray pixels (row-major) to h×w floats in 0..255. */
  public static float[] resize(byte[] src, int rows, int cols, int h, int w) {
    Rows r = new Rows(rows, cols, h, w);
    for (int y = 0; y < rows; y++) {
      r.accept(src, y * cols);
    }
    return r.result();
  }

  /**
   * The same resize of 8-bit rows fed one at a time, top to bottom, so a decoder can resize while
   * it decodes without holding the whole image (nor a float copy of it). The weights are those of
   * {@link #resize(float[], int, int, int, int)}; the sums are ordered differently (the pixels
   * strictly inside an output pixel's area are summed as integers, exactly, and weighted once), so
   * results agree with it to float rounding (GrayPngDecoderTest: within 1e-3 on 0..255). The scorer
   * and training both resize through this class, so they see the same numbers.
   */
  public static final class Rows {
    private final int rows;
    private final int cols;
    private final int w;
    private final int[] cs;
    private final float[][] cw;
    private final int[] rs;
    private final float[][] rw;
    private final float[] tmp;
    // per output column: input pixels covered, weights of the first, inner and last of them
    private final int[] cn;
    private final float[] cw0;
    private final float[] cwm;
    private final float[] cwl;
    private final long[] prefix;
    // per output row: input rows covered, weights of the first, inner and last of them
    private final int[] rn;
    private final float[] rw0;
    private final float[] rwm;
    private final float[] rwl;
    // the inner rows of the output row being filled, summed as integers (exact), and that sum
    // reduced to w columns
    private final long[] inner;
    private final float[] innerCols;
    private final float[] out;
    private int y;
    private int first;
    private boolean affine;
    private float scale = 1;
    private float shift; // the first output row whose input rows are not all seen yet

    public Rows(int rows, int cols, int h, int w) {
      this(rows, cols, h, w, null);
    }

    /**
     * @param into h×w floats to write the result into (zeroed here; a pooled array), or null for a
     *     new one
     */
    public Rows(int rows, int cols, int h, int w, float[] into) {
      if (into != null && into.length != h * w) {
        throw new IllegalArgumentException(
            "output array holds " + into.length + " floats, the resize needs " + h * w);
      }
      this.rows = rows;
      this.cols = cols;
      this.w = w;
      this.cs = new int[w];
      this.cw = weights(cols, w, cs);
      this.rs = new int[h];
      this.rw = weights(rows, h, rs);
      this.tmp = new float[w];
      this.cn = new int[w];
      this.cw0 = new float[w];
      this.cwm = new float[w];
      this.cwl = new float[w];
      split(cw, cn, cw0, cwm, cwl);
      this.prefix = new long[cols + 1];
      this.rn = new int[h];
      this.rw0 = new float[h];
      this.rwm = new float[h];
      this.rwl = new float[h];
      split(rw, rn, rw0, rwm, rwl);
      this.inner = new long[cols];
      this.innerCols = new float[w];
      if (into == null) {
        this.out = new float[h * w];
      } else {
        if (!(rows == h && cols == w)) { // rows are added into it; a same-size copy overwrites it
          java.util.Arrays.fill(into, 0f);
        }
        this.out = into;
      }
    }

    /**
     * For each output pixel's weights (along one axis): how many inputs it covers and the weights
     * of the first, the inner (all equal) and the last of them.
     */
    private static void split(
        float[][] weights, int[] n, float[] first, float[] inner, float[] last) {
      for (int i = 0; i < weights.length; i++) {
        float[] wt = weights[i];
        n[i] = wt.length;
        first[i] = wt[0];
        inner[i] = wt.length > 2 ? wt[1] : 0f;
        last[i] = wt[wt.length - 1];
      }
    }

    /** Adds the next input row, {@code cols} bytes from {@code off}. */
    public void accept(byte[] src, int off) {
      if (y >= rows) {
        throw new IllegalStateException("all " + rows + " rows already given");
      }
      if (rows == rs.length && cols == w) { // same size: every weight is 1, the pixels are copied
        int o = y * w;
        if (affine) {
          float sc = scale;
          float sh = shift;
          for (int x = 0; x < w; x++) {
            out[o + x] = (src[off + x] & 0xff) * sc - sh;
          }
        } else {
          for (int x = 0; x < w; x++) {
            out[o + x] = src[off + x] & 0xff;
          }
        }
        y++;
        return;
      }
      int h = rs.length;
      while (first < h && rs[first] + rn[first] <= y) {
        first++;
      }
      // a row strictly inside one output row's area (the usual case when shrinking) is only added
      // to that output row's integer column sums; its weight is applied once the area is done
      if (first < h && rs[first] < y && y < rs[first] + rn[first] - 1) {
        long[] in = inner;
        for (int x = 0; x < cols; x++) {
          in[x] += src[off + x] & 0xff;
        }
        y++;
        return;
      }
      // an edge row (first or last of an output row's area): reduce it to w columns
      reduce(src, off);
      for (int oy = first; oy < h && rs[oy] <= y; oy++) {
        int k = y - rs[oy];
        int n = rn[oy];
        if (k >= n) {
          continue;
        }
        int o = oy * w;
        if (k == 0) { // out = first row × its weight
          float f = rw0[oy];
          for (int x = 0; x < w; x++) {
            out[o + x] = tmp[x] * f;
          }
        } else { // the last row: + inner rows × their common weight + last row × its weight
          if (n > 2) {
            reduceInner();
            float m = rwm[oy];
            for (int x = 0; x < w; x++) {
              out[o + x] += innerCols[x] * m;
            }
            java.util.Arrays.fill(inner, 0);
          }
          float f = rwl[oy];
          for (int x = 0; x < w; x++) {
            out[o + x] += tmp[x] * f;
          }
        }
      }
      y++;
    }

    /** Reduces one input row to w columns into {@code tmp}. */
    private void reduce(byte[] src, int off) {
      long[] p = prefix;
      long run = 0;
      for (int x = 0; x < cols; x++) {
        run += src[off + x] & 0xff;
        p[x + 1] = run;
      }
      reducePrefix(tmp);
    }

    /** The same reduction of the inner rows' integer sums into {@code innerCols}. */
    private void reduceInner() {
      long[] p = prefix;
      long[] in = inner;
      long run = 0;
      for (int x = 0; x < cols; x++) {
        run += in[x];
        p[x + 1] = run;
      }
      reducePrefix(innerCols);
    }

    /**
     * Reduces the row whose prefix sums are in {@code prefix} to w columns: the values strictly
     * inside an output pixel's area all have the same weight, so their sum is a difference of two
     * prefix sums (exact, as long integers: no overflow at any image size the decoders accept), as
     * is each edge value.
     */
    private void reducePrefix(float[] dst) {
      long[] p = prefix;
      for (int x = 0; x < w; x++) {
        int s = cs[x];
        int n = cn[x];
        float lead = (p[s + 1] - p[s]) * cw0[x];
        if (n == 1) {
          dst[x] = lead;
        } else if (n == 2) {
          dst[x] = lead + (p[s + 2] - p[s + 1]) * cwl[x];
        } else {
          long mid = p[s + n - 1] - p[s + 1];
          dst[x] = lead + mid * cwm[x] + (p[s + n] - p[s + n - 1]) * cwl[x];
        }
      }
    }

    /** The resized image once every row was given. */
    public float[] result() {
      if (y != rows) {
        throw new IllegalStateException("only " + y + " of " + rows + " rows given");
      }
      if (affine && !(rows == rs.length && cols == w)) {
        for (int i = 0; i < out.length; i++) {
          out[i] = out[i] * scale - shift;
        }
      }
      return out;
    }

    /**
     * Makes the result {@code v * scale - shift} of each resized value v (a model's normalisation),
     * applied as each row is copied when the size does not change, else once at the end. Call
     * before the first row.
     */
    public Rows affine(float scale, float shift) {
      if (y != 0) {
        throw new IllegalStateException("set the affine map before the first row");
      }
      this.affine = true;
      this.scale = scale;
      this.shift = shift;
      return this;
    }
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
