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
    if (png.length < 8 + 25 || readLong(png, 0) != SIGNATURE) {
      throw new IOException("not a PNG image (bad signature)");
    }
    int pos = 8;
    int width = -1;
    int height = -1;
    Inflater inflater = new Inflater();
    byte[] raw = null;
    int rawPos = 0;
    boolean ended = false;
    CRC32 crc = new CRC32();
    try {
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
            return null;
          }
          if (width <= 0 || height <= 0 || (long) width * height > 64L * 1024 * 1024) {
            throw new IOException("PNG size " + width + "x" + height + " is not supported");
          }
          raw = new byte[(width + 1) * height];
        } else if (type == 0x49444154) { // IDAT
          if (raw == null) {
            throw new IOException("PNG IDAT before IHDR");
          }
          inflater.setInput(png, data, len);
          rawPos += inflate(inflater, raw, rawPos);
        } else if (type == 0x49454E44) { // IEND
          ended = true;
          break;
        }
        pos += 12 + len;
      }
      if (raw == null || !ended) {
        throw new IOException("PNG data ends before its IEND chunk (truncated)");
      }
      if (rawPos < raw.length) {
        rawPos += inflate(inflater, raw, rawPos);
      }
      if (rawPos != raw.length) {
        throw new IOException(
            "PNG pixel data is " + rawPos + " bytes, expected " + raw.length + " (truncated)");
      }
    } finally {
      inflater.end();
    }
    dims[0] = height;
    dims[1] = width;
    return unfilter(raw, height, width);
  }

  private static int inflate(Inflater inf, byte[] out, int off) throws IOException {
    int total = 0;
    try {
      while (off + total < out.length) {
        int n = inf.inflate(out, off + total, out.length - off - total);
        if (n == 0) {
          if (inf.needsInput() || inf.finished() || inf.needsDictionary()) {
            break;
          }
        }
        total += n;
      }
    } catch (DataFormatException e) {
      throw new IOException("PNG pixel data does not inflate: " + e.getMessage(), e);
    }
    return total;
  }

  /** Undoes the per-row filters (1 byte per pixel, so the left neighbour is one byte back). */
  static byte[] unfilter(byte[] raw, int rows, int cols) throws IOException {
    byte[] out = new byte[rows * cols];
    int stride = cols + 1;
    for (int y = 0; y < rows; y++) {
      int f = raw[y * stride] & 0xff;
      int in = y * stride + 1;
      int o = y * cols;
      int up = o - cols; // previous output row
      switch (f) {
        case 0 -> System.arraycopy(raw, in, out, o, cols);
        case 1 -> {
          int left = 0;
          for (int x = 0; x < cols; x++) {
            left = (raw[in + x] + left) & 0xff;
            out[o + x] = (byte) left;
          }
        }
        case 2 -> {
          for (int x = 0; x < cols; x++) {
            int b = y == 0 ? 0 : out[up + x] & 0xff;
            out[o + x] = (byte) (raw[in + x] + b);
          }
        }
        case 3 -> {
          for (int x = 0; x < cols; x++) {
            int a = x == 0 ? 0 : out[o + x - 1] & 0xff;
            int b = y == 0 ? 0 : out[up + x] & 0xff;
            out[o + x] = (byte) (raw[in + x] + ((a + b) >>> 1));
          }
        }
        case 4 -> {
          for (int x = 0; x < cols; x++) {
            int a = x == 0 ? 0 : out[o + x - 1] & 0xff;
            int b = y == 0 ? 0 : out[up + x] & 0xff;
            int c = x == 0 || y == 0 ? 0 : out[up + x - 1] & 0xff;
            int p = a + b - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            int pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            out[o + x] = (byte) (raw[in + x] + pred);
          }
        }
        default -> throw new IOException("PNG row " + y + " has unknown filter type " + f);
      }
    }
    return out;
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
