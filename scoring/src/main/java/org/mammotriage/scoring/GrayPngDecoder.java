package org.mammotriage.scoring;

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
    byte[][] image = new byte[1][];
    boolean gray =
        decodeRows(
            png,
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
   * followed by {@link org.mammotriage.imaging.AreaResize#resize(byte[], int, int, int, int)}),
   * without holding the decoded image: what the scorer and training use.
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
    org.mammotriage.imaging.AreaResize.Rows[] resize =
        new org.mammotriage.imaging.AreaResize.Rows[1];
    boolean gray =
        decodeRows(
            png,
            (rows, cols) ->
                resize[0] =
                    affine
                        ? new org.mammotriage.imaging.AreaResize.Rows(rows, cols, h, w, into)
                            .affine(scale, shift)
                        : new org.mammotriage.imaging.AreaResize.Rows(rows, cols, h, w, into),
            (y, row, off, cols) -> resize[0].accept(row, off));
    return gray ? resize[0].result() : null;
  }

  interface Header {
    void start(int rows, int cols);
  }

  interface RowSink {
    void row(int y, byte[] row, int off, int cols) throws IOException;
  }

  /** One inflater per thread, reset for each image (creating one allocates native zlib state). */
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);

  /**
   * Checks the chunk structure (signature, CRCs, IHDR first, IEND present), then inflates the IDAT
   * stream one row at a time and hands each unfiltered row to {@code sink}.
   *
   * @return false (having called nothing) when the image is not 8-bit grayscale non-interlaced
   */
  static boolean decodeRows(byte[] png, Header header, RowSink sink) throws IOException {
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
    int stride = width + 1;
    byte[] cur = new byte[stride];
    byte[] prev = new byte[stride]; // row 0 sees a zero row above it, as the filters define
    Inflater inflater = INFLATERS.get();
    inflater.reset();
    int next = 0;
    try {
      for (int y = 0; y < height; y++) {
        int got = 0;
        while (got < stride) {
          int n = inflater.inflate(cur, got, stride - got);
          if (n == 0) {
            if (inflater.needsInput() && next < nIdat) {
              inflater.setInput(png, idat[2 * next], idat[2 * next + 1]);
              next++;
            } else if (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()) {
              throw new IOException(
                  "PNG pixel data is "
                      + ((long) y * stride + got)
                      + " bytes, expected "
                      + ((long) height * stride)
                      + " (truncated)");
            }
          }
          got += n;
        }
        unfilterRow(cur, prev, width, y);
        sink.row(y, cur, 1, width);
        byte[] t = prev;
        prev = cur;
        cur = t;
      }
    } catch (DataFormatException e) {
      throw new IOException("PNG pixel data does not inflate: " + e.getMessage(), e);
    } finally {
      inflater.reset();
    }
    return true;
  }

  /**
   * Undoes one row's filter in place: {@code row[0]} is the filter type, pixels from 1; {@code up}
   * is the previous unfiltered row in the same layout (1 byte per pixel, so the left neighbour is
   * one byte back).
   */
  private static void unfilterRow(byte[] row, byte[] up, int cols, int y) throws IOException {
    int f = row[0] & 0xff;
    switch (f) {
      case 0 -> {}
      case 1 -> {
        for (int x = 2; x <= cols; x++) {
          row[x] += row[x - 1];
        }
      }
      case 2 -> {
        for (int x = 1; x <= cols; x++) {
          row[x] += up[x];
        }
      }
      case 3 -> {
        row[1] += (byte) ((up[1] & 0xff) >>> 1);
        for (int x = 2; x <= cols; x++) {
          row[x] += (byte) (((row[x - 1] & 0xff) + (up[x] & 0xff)) >>> 1);
        }
      }
      case 4 -> {
        row[1] += up[1]; // a = c = 0: the predictor is b
        int a = row[1] & 0xff; // left
        int c = up[1] & 0xff; // upper left
        for (int x = 2; x <= cols; x++) {
          int b = up[x] & 0xff;
          // p = a + b - c; the distances of p to a, b and c
          int pa = Math.abs(b - c);
          int pb = Math.abs(a - c);
          int pc = Math.abs(a + b - 2 * c);
          int pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          a = (row[x] + pred) & 0xff;
          row[x] = (byte) a;
          c = b;
        }
      }
      default -> throw new IOException("PNG row " + y + " has unknown filter type " + f);
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
