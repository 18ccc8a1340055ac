package org.mammotriage.contract.image;

import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A direct decoder for the PNGs ingest writes: 8-bit grayscale, not interlaced (PNG spec, W3C 2003:
 * chunk layout §5, IHDR §11.2.2, filters §9). It inflates the IDAT stream and undoes the five row
 * filters in one pass, without the ImageIO plugin machinery and the BufferedImage it builds, which
 * dominated the scorer's preparation time. Anything else (16-bit, colour, palette, alpha, Adam7)
 * returns null so the caller falls back to ImageIO.
 */
final class GrayPngDecoder {
  private static final long SIGNATURE = 0x89504E470D0A1A0AL;

  private GrayPngDecoder() {}

  /**
   * @param dims receives rows, cols
   * @return the pixels row by row, or null when the image is not 8-bit grayscale non-interlaced
   * @throws IOException when the data is not a valid PNG (bad signature, CRC, truncated, bad
   *     filter)
   */
  static byte[] decode(byte[] png, int[] dims) throws IOException {
    return decode(png, dims, true);
  }

  /**
   * As {@link #decode(byte[], int[])}; {@code nativeInflate} false always inflates with
   * java.util.zip (tests compare the two).
   */
  static byte[] decode(byte[] png, int[] dims, boolean nativeInflate) throws IOException {
    byte[][] image = new byte[1][];
    boolean gray =
        decodeRows(
            png,
            nativeInflate,
            (rows, cols) -> {
              image[0] = new byte[rows * cols];
              dims[0] = rows;
              dims[1] = cols;
            },
            (y, row, off, cols) -> System.arraycopy(row, off, image[0], y * cols, cols));
    return gray ? image[0] : null;
  }

  /**
   * Decodes and area-resizes to h×w in one pass over the rows (the same numbers as {@link #decode}
   * followed by {@link org.mammotriage.contract.image.AreaResize#resize(byte[], int, int, int,
   * int)}), without holding the decoded image: what the scorer and training use.
   *
   * @return h×w floats in 0..255, or null when the image is not 8-bit grayscale non-interlaced
   */
  static float[] decodeResized(byte[] png, int h, int w) throws IOException {
    return decodeResized(png, h, w, null);
  }

  /** As {@link #decodeResized(byte[], int, int)}, writing into {@code into} (h×w) when given. */
  static float[] decodeResized(byte[] png, int h, int w, float[] into) throws IOException {
    return decodeResized(png, h, w, into, 1f, 0f, false);
  }

  /**
   * Decodes, resizes and maps each value v to {@code v * scale - shift} (a model's normalisation)
   * in the same pass, writing into {@code into} when given.
   */
  static float[] decodeNormalised(byte[] png, int h, int w, float[] into, float scale, float shift)
      throws IOException {
    return decodeResized(png, h, w, into, scale, shift, true);
  }

  private static float[] decodeResized(
      byte[] png, int h, int w, float[] into, float scale, float shift, boolean affine)
      throws IOException {
    return decodeResized(png, h, w, into, scale, shift, affine, true);
  }

  /** As {@link #decodeNormalised}; {@code nativeInflate} false always uses java.util.zip. */
  static float[] decodeNormalised(
      byte[] png, int h, int w, float scale, float shift, boolean nativeInflate)
      throws IOException {
    return decodeResized(png, h, w, null, scale, shift, true, nativeInflate);
  }

  private static float[] decodeResized(
      byte[] png,
      int h,
      int w,
      float[] into,
      float scale,
      float shift,
      boolean affine,
      boolean nativeInflate)
      throws IOException {
    org.mammotriage.contract.image.AreaResize.Rows[] resize =
        new org.mammotriage.contract.image.AreaResize.Rows[1];
    boolean gray =
        decodeRows(
            png,
            nativeInflate,
            (rows, cols) ->
                resize[0] =
                    affine
                        ? new org.mammotriage.contract.image.AreaResize.Rows(rows, cols, h, w, into)
                            .affine(scale, shift)
                        : new org.mammotriage.contract.image.AreaResize.Rows(
                            rows, cols, h, w, into),
            (y, row, off, cols) -> resize[0].accept(row, off));
    return gray ? resize[0].result() : null;
  }

  /**
   * Decodes, resizes and normalises ({@code v * scale - shift}) straight into {@code dest} from
   * {@code off} (h×w floats, e.g. a slot of the model's input tensor): a same-size image is written
   * row by row, a resized one from a per-thread h×w array once its rows are done. No image-sized
   * array is allocated.
   *
   * @return false (having written nothing) when the image is not 8-bit grayscale non-interlaced
   */
  static boolean decodeNormalisedInto(
      byte[] png, int h, int w, float scale, float shift, java.nio.FloatBuffer dest, int off)
      throws IOException {
    org.mammotriage.contract.image.AreaResize.Rows[] resize =
        new org.mammotriage.contract.image.AreaResize.Rows[1];
    float[][] row = new float[1][];
    boolean gray =
        decodeRows(
            png,
            true,
            (rows, cols) -> {
              if (rows == h && cols == w) {
                row[0] = scratch(SCRATCH_ROW, w);
              } else {
                float[] into = scratch(SCRATCH_IMAGE, h * w);
                resize[0] =
                    new org.mammotriage.contract.image.AreaResize.Rows(rows, cols, h, w, into)
                        .affine(scale, shift);
              }
            },
            (y, px, o, cols) -> {
              if (resize[0] != null) {
                resize[0].accept(px, o);
                return;
              }
              float[] r = row[0];
              for (int x = 0; x < cols; x++) {
                r[x] = (px[o + x] & 0xff) * scale - shift;
              }
              dest.put(off + y * cols, r, 0, cols);
            });
    if (gray && resize[0] != null) {
      dest.put(off, resize[0].result(), 0, h * w);
    }
    return gray;
  }

  /** A row of floats and a resized image per thread, for {@link #decodeNormalisedInto}. */
  private static final ThreadLocal<float[][]> SCRATCH_ROW =
      ThreadLocal.withInitial(() -> new float[1][]);

  private static final ThreadLocal<float[][]> SCRATCH_IMAGE =
      ThreadLocal.withInitial(() -> new float[1][]);

  private static float[] scratch(ThreadLocal<float[][]> local, int n) {
    float[][] holder = local.get();
    if (holder[0] == null || holder[0].length != n) {
      holder[0] = new float[n];
    }
    return holder[0];
  }

  interface Header {
    void start(int rows, int cols);
  }

  interface RowSink {
    void row(int y, byte[] row, int off, int cols) throws IOException;
  }

  /** One inflater per thread, reset for each image (creating one allocates native zlib state). */
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);

  /** About how many bytes of rows are inflated per native call. */
  private static final int CHUNK_BYTES = 256 * 1024;

  /** One buffer of many rows per thread, kept between images (grown for wider rows). */
  private static final ThreadLocal<byte[][]> CHUNKS = ThreadLocal.withInitial(() -> new byte[1][]);

  /** The whole inflated image for libdeflate, per thread, kept between images. */
  private static final ThreadLocal<byte[][]> RAWS = ThreadLocal.withInitial(() -> new byte[1][]);

  /** The joined IDAT chunks when an image has several, per thread. */
  private static final ThreadLocal<byte[][]> JOINS = ThreadLocal.withInitial(() -> new byte[1][]);

  private static byte[] chunkBuffer(int size) {
    return buffer(CHUNKS, size);
  }

  private static byte[] rawBuffer(int size) {
    return buffer(RAWS, size);
  }

  private static byte[] joinBuffer(int size) {
    return buffer(JOINS, size);
  }

  /** Larger per-thread buffers are not kept (a working image needs 1.4 MB). */
  private static final int RETAIN_MAX_BYTES = 8 * 1024 * 1024;

  private static byte[] buffer(ThreadLocal<byte[][]> local, int size) {
    if (size > RETAIN_MAX_BYTES) {
      return new byte[size];
    }
    byte[][] holder = local.get();
    if (holder[0] == null || holder[0].length < size) {
      holder[0] = new byte[size];
    }
    return holder[0];
  }

  /**
   * Checks the chunk structure (signature, CRCs, IHDR first, IEND present), then inflates the IDAT
   * stream (with libdeflate when {@code nativeInflate} and it is available, else java.util.zip) and
   * hands each unfiltered row to {@code sink}, top to bottom.
   *
   * @return false (having called nothing) when the image is not 8-bit grayscale non-interlaced
   */
  static boolean decodeRows(byte[] png, boolean nativeInflate, Header header, RowSink sink)
      throws IOException {
    if (png.length < 8 + 25 || readLong(png, 0) != SIGNATURE) {
      throw new IOException("not a PNG image (bad signature)");
    }
    int pos = 8;
    int width = -1;
    int height = -1;
    int[] idat = new int[16]; // offset, length pairs
    int nIdat = 0;
    boolean ended = false;
    CRC32 crc = new CRC32();
    while (pos + 12 <= png.length) {
      int len = readInt(png, pos);
      if (len < 0 || pos + 12L + len > png.length) {
        throw new IOException(
            "PNG chunk at byte " + pos + " runs past the end of the data (truncated)");
      }
      int type = readInt(png, pos + 4);
      crc.reset();
      crc.update(png, pos + 4, 4 + len);
      if ((int) crc.getValue() != readInt(png, pos + 8 + len)) {
        throw new IOException("PNG chunk at byte " + pos + " has a bad CRC (corrupt data)");
      }
      int data = pos + 8;
      if (type == 0x49484452) { // IHDR
        width = readInt(png, data);
        height = readInt(png, data + 4);
        int depth = png[data + 8] & 0xff;
        int colour = png[data + 9] & 0xff;
        int interlace = png[data + 12] & 0xff;
        if (depth != 8 || colour != 0 || interlace != 0) {
          return false;
        }
        if (width <= 0 || height <= 0 || (long) width * height > 64L * 1024 * 1024) {
          throw new IOException("PNG size " + width + "x" + height + " is not supported");
        }
      } else if (type == 0x49444154) { // IDAT
        if (width < 0) {
          throw new IOException("PNG IDAT before IHDR");
        }
        if (2 * nIdat + 2 > idat.length) {
          idat = java.util.Arrays.copyOf(idat, idat.length * 2);
        }
        idat[2 * nIdat] = data;
        idat[2 * nIdat + 1] = len;
        nIdat++;
      } else if (type == 0x49454E44) { // IEND
        ended = true;
        break;
      }
      pos += 12 + len;
    }
    if (width < 0 || !ended) {
      throw new IOException("PNG data ends before its IEND chunk (truncated)");
    }
    header.start(height, width);
    if (!nativeInflate || !inflateNative(png, idat, nIdat, height, width, sink)) {
      inflateChunked(png, idat, nIdat, height, width, sink);
    }
    return true;
  }

  /**
   * The largest image (rows × (cols + 1) bytes) inflated whole by libdeflate; larger go by chunks.
   */
  private static final int NATIVE_MAX_BYTES = 32 * 1024 * 1024;

  /**
   * Inflates the whole pixel stream with libdeflate, then unfilters row by row.
   *
   * @return false (having called nothing) when libdeflate is not available, the image is larger
   *     than {@link #NATIVE_MAX_BYTES}, or the data does not inflate to exactly the image's size:
   *     the streaming path then decodes it, with its errors for truncated or corrupt data
   */
  private static boolean inflateNative(
      byte[] png, int[] idat, int nIdat, int height, int width, RowSink sink) throws IOException {
    int stride = width + 1;
    long size = (long) height * stride;
    if (!NativeInflate.available() || size + stride > NATIVE_MAX_BYTES || nIdat == 0) {
      return false;
    }
    byte[] in = png;
    int inOff = idat[0];
    int inLen = idat[1];
    if (nIdat > 1) { // libdeflate wants the stream in one piece: join the IDAT chunks
      long total = 0;
      for (int i = 0; i < nIdat; i++) {
        total += idat[2 * i + 1];
      }
      in = joinBuffer((int) total);
      inOff = 0;
      inLen = 0;
      for (int i = 0; i < nIdat; i++) {
        System.arraycopy(png, idat[2 * i], in, inLen, idat[2 * i + 1]);
        inLen += idat[2 * i + 1];
      }
    }
    // the first stride bytes are the zero row above row 0, as the filters define
    byte[] raw = rawBuffer((int) size + stride);
    java.util.Arrays.fill(raw, 0, stride, (byte) 0);
    if (NativeInflate.zlibDecompress(in, inOff, inLen, raw, stride, (int) size) != 0) {
      return false;
    }
    for (int y = 0; y < height; y++) {
      int off = (y + 1) * stride;
      unfilterRow(raw, off, off - stride, width, y);
      sink.row(y, raw, off + 1, width);
    }
    return true;
  }

  /** Inflates with java.util.zip, many rows per call, unfiltering each chunk's rows. */
  private static void inflateChunked(
      byte[] png, int[] idat, int nIdat, int height, int width, RowSink sink) throws IOException {
    int stride = width + 1;
    // rows are inflated many at a time into one buffer (one native call per chunk, not per row);
    // the first stride bytes hold the row above the chunk (zeros above row 0, as the filters
    // define)
    int chunkRows = (int) Math.max(1, Math.min(height, CHUNK_BYTES / stride));
    byte[] buf = chunkBuffer((chunkRows + 1) * stride);
    java.util.Arrays.fill(buf, 0, stride, (byte) 0);
    Inflater inflater = INFLATERS.get();
    inflater.reset();
    int next = 0;
    try {
      for (int y0 = 0; y0 < height; y0 += chunkRows) {
        int n = Math.min(chunkRows, height - y0);
        int want = n * stride;
        int got = 0;
        while (got < want) {
          int k = inflater.inflate(buf, stride + got, want - got);
          if (k == 0) {
            if (inflater.needsInput() && next < nIdat) {
              inflater.setInput(png, idat[2 * next], idat[2 * next + 1]);
              next++;
            } else if (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()) {
              throw new IOException(
                  "PNG pixel data is "
                      + ((long) y0 * stride + got)
                      + " bytes, expected "
                      + ((long) height * stride)
                      + " (truncated)");
            }
          }
          got += k;
        }
        for (int i = 0; i < n; i++) {
          int off = (i + 1) * stride;
          unfilterRow(buf, off, off - stride, width, y0 + i);
          sink.row(y0 + i, buf, off + 1, width);
        }
        System.arraycopy(buf, n * stride, buf, 0, stride);
      }
    } catch (DataFormatException e) {
      throw new IOException("PNG pixel data does not inflate: " + e.getMessage(), e);
    } finally {
      inflater.reset();
    }
  }

  /**
   * Undoes one row's filter in place: {@code b[row]} is the filter type, pixels from {@code row +
   * 1}; the previous unfiltered row is at {@code up} in the same layout (1 byte per pixel, so the
   * left neighbour is one byte back).
   */
  private static void unfilterRow(byte[] b, int row, int up, int cols, int y) throws IOException {
    int f = b[row] & 0xff;
    switch (f) {
      case 0 -> {}
      case 1 -> unfilterSub(b, row + 1, row + 1 + cols);
      case 2 -> unfilterUp(b, row + 1, up + 1, row + 1 + cols);
      case 3 -> {
        b[row + 1] += (byte) ((b[up + 1] & 0xff) >>> 1);
        int left = b[row + 1] & 0xff;
        for (int x = 2; x <= cols; x++) {
          left = (b[row + x] + ((left + (b[up + x] & 0xff)) >>> 1)) & 0xff;
          b[row + x] = (byte) left;
        }
      }
      case 4 -> {
        b[row + 1] += b[up + 1]; // a = c = 0: the predictor is b
        int a = b[row + 1] & 0xff; // left
        int c = b[up + 1] & 0xff; // upper left
        for (int x = 2; x <= cols; x++) {
          int above = b[up + x] & 0xff;
          // p = a + above - c; the distances of p to a, above and c
          int pa = Math.abs(above - c);
          int pb = Math.abs(a - c);
          int pc = Math.abs(a + above - 2 * c);
          int pred = pa <= pb && pa <= pc ? a : pb <= pc ? above : c;
          a = (b[row + x] + pred) & 0xff;
          b[row + x] = (byte) a;
          c = above;
        }
      }
      default -> throw new IOException("PNG row " + y + " has unknown filter type " + f);
    }
  }

  /** Eight bytes of a byte[] as one little-endian long, at any offset. */
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
  private static final long HIGH1 = 0x8080808080808080L;
  private static final long EVERY_BYTE = 0x0101010101010101L;

  /**
   * The eight byte-wise sums modulo 256 of two longs (no carry from one byte into the next): the
   * low seven bits added, the top bit by exclusive or.
   */
  private static long addBytes(long p, long q) {
    return ((p & LOW7) + (q & LOW7)) ^ ((p ^ q) & HIGH1);
  }

  /**
   * Up (PNG §9.2): each byte of {@code b[from, end)} plus the byte above it, which starts at {@code
   * above}; eight bytes at a time as one long (byte by byte, the JIT does not vectorise this loop,
   * whose two rows are in one array: about 3 ns a byte here, ten times the long-wise loop).
   */
  private static void unfilterUp(byte[] b, int from, int above, int end) {
    int x = from;
    int u = above;
    for (; x + 8 <= end; x += 8, u += 8) {
      LONGS.set(b, x, addBytes((long) LONGS.get(b, x), (long) LONGS.get(b, u)));
    }
    for (; x < end; x++, u++) {
      b[x] += b[u];
    }
  }

  /**
   * Sub (PNG §9.2, one byte per pixel): the running sum of {@code b[from, end)} modulo 256, eight
   * bytes at a time: the prefix sums within a long in three shifted byte-wise adds, then the last
   * byte of the previous eight added to each (the left neighbour of the first pixel is 0).
   */
  private static void unfilterSub(byte[] b, int from, int end) {
    long left = 0;
    int x = from;
    for (; x + 8 <= end; x += 8) {
      long v = (long) LONGS.get(b, x);
      v = addBytes(v, v << 8);
      v = addBytes(v, v << 16);
      v = addBytes(v, v << 32);
      v = addBytes(v, left * EVERY_BYTE);
      LONGS.set(b, x, v);
      left = v >>> 56;
    }
    for (; x < end; x++) {
      left = (left + b[x]) & 0xff;
      b[x] = (byte) left;
    }
  }

  private static int readInt(byte[] b, int i) {
    return ((b[i] & 0xff) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  private static long readLong(byte[] b, int i) {
    return ((long) readInt(b, i) << 32) | (readInt(b, i + 4) & 0xffffffffL);
  }
}
