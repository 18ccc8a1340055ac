package org.mammotriage.ingest.preprocess;

/**
 * The stored values of one frame of grayscale pixels, read where they lie: in PixelMed's arrays, or
 * in the bytes of the file read straight into a buffer (native little-endian transfer syntaxes).
 * The preprocessor maps them through one table without first copying them into another array.
 */
public sealed interface StoredPixels {
  /** The stored value of pixel {@code i}, before masking to BitsStored. */
  int value(int i);

  /** How many pixels the buffer holds. */
  int length();

  /** Marks in {@code present} every stored value (masked) that occurs among the first n pixels. */
  default void markPresent(boolean[] present, int mask, int n) {
    for (int i = 0; i < n; i++) {
      present[value(i) & mask] = true;
    }
  }

  /**
   * {@code into[j] = lut[value(start + j * step) & mask]} for j in [0, len): one row (step 1) or
   * one row read right to left (step −1).
   */
  default void mapRun(float[] lut, int mask, int start, int step, int len, float[] into) {
    for (int j = 0, i = start; j < len; j++, i += step) {
      into[j] = lut[value(i) & mask];
    }
  }

  /** 8-bit values, one byte each, from {@code off}. */
  record Bytes(byte[] data, int off, int length) implements StoredPixels {
    @Override
    public void mapRun(float[] lut, int mask, int start, int step, int len, float[] into) {
      for (int j = 0, i = off + start; j < len; j++, i += step) {
        into[j] = lut[data[i] & mask];
      }
    }

    @Override
    public int value(int i) {
      return data[off + i] & 0xff;
    }
  }

  /** 16-bit values in PixelMed's word array. */
  record Words(short[] data, int length) implements StoredPixels {
    @Override
    public void mapRun(float[] lut, int mask, int start, int step, int len, float[] into) {
      for (int j = 0, i = start; j < len; j++, i += step) {
        into[j] = lut[data[i] & mask];
      }
    }

    @Override
    public int value(int i) {
      return data[i] & 0xffff;
    }
  }

  /** 16-bit little-endian values as the file holds them, from {@code off}. */
  record LittleEndianWords(byte[] data, int off, int length) implements StoredPixels {
    @Override
    public void mapRun(float[] lut, int mask, int start, int step, int len, float[] into) {
      int p = off + 2 * start;
      int d = 2 * step;
      for (int j = 0; j < len; j++, p += d) {
        into[j] = lut[(data[p] & 0xff | (data[p + 1] & 0xff) << 8) & mask];
      }
    }

    @Override
    public int value(int i) {
      int p = off + 2 * i;
      return data[p] & 0xff | (data[p + 1] & 0xff) << 8;
    }
  }
}
