package org.mammotriage.contract.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The libdeflate path of the PNG decoder against the java.util.zip path: the same pixels for every
 * filter, IDAT split and size, and the same errors for bad data.
 */
class NativeInflateTest {

  @Test
  void shouldLoadLibdeflateOnLinuxX8664() {
    // ./run installs libdeflate0 and gcc; the scoring build puts the JNI library in the jar
    assertThat(NativeInflate.available())
        .as(
            "libdeflate should load here (%s); install libdeflate0 and gcc, then rebuild",
            NativeInflate.description())
        .isTrue();
    assertThat(NativeInflate.description()).isEqualTo("libdeflate (native)");
  }

  @Test
  void shouldDecodeTheSamePixelsAsJavaUtilZip() throws Exception {
    Random r = new Random(3);
    // small, wider than one inflate chunk, and taller than one chunk (256 KiB of rows)
    int[][] sizes = {{1, 1}, {40, 57}, {7, 3000}, {700, 600}};
    for (int[] size : sizes) {
      int rows = size[0];
      int cols = size[1];
      byte[] px = new byte[rows * cols];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) ((i % cols) / 3 + (i / cols) / 2 + r.nextInt(16));
      }
      for (int filter = 0; filter <= 4; filter++) {
        for (int parts : new int[] {1, 3}) {
          byte[] png = GrayPngDecoderTest.png(px, rows, cols, filter, parts);
          String what = rows + "x" + cols + " filter " + filter + " in " + parts + " IDAT";
          assertThat(GrayPngDecoder.decode(png, new int[2], true)).as(what).isEqualTo(px);
          assertThat(GrayPngDecoder.decode(png, new int[2], false)).as(what).isEqualTo(px);
          int h = Math.max(1, rows / 5);
          int w = Math.max(1, cols / 7);
          assertThat(GrayPngDecoder.decodeNormalised(png, h, w, 0.01f, 0.3f, true))
              .as("resized " + what)
              .containsExactly(GrayPngDecoder.decodeNormalised(png, h, w, 0.01f, 0.3f, false));
        }
      }
    }
  }

  @Test
  void shouldGiveTheSameErrorsAsJavaUtilZipForBadPixelData() throws Exception {
    int rows = 50;
    int cols = 40;
    byte[] px = new byte[rows * cols];
    new Random(4).nextBytes(px);
    byte[] good = GrayPngDecoderTest.png(px, rows, cols, 2, 1);
    int idatData = 8 + 25 + 8; // signature, IHDR chunk, IDAT length and type

    // deflate data damaged but the CRC fixed up: only the inflate can tell
    byte[] corrupt = good.clone();
    for (int i = 0; i < 8; i++) {
      corrupt[idatData + 2 + i] = (byte) 0xff;
    }
    fixIdatCrc(corrupt);
    // more pixel data than the IHDR says: taken as the image, the rest ignored
    byte[] larger = GrayPngDecoderTest.png(new byte[(rows + 5) * cols], rows + 5, cols, 0, 1);
    byte[] extra = spliceHeader(good, larger);

    for (byte[] png : new byte[][] {corrupt, extra}) {
      Throwable nat = catchThrowable(() -> GrayPngDecoder.decode(png, new int[2], true));
      Throwable java = catchThrowable(() -> GrayPngDecoder.decode(png, new int[2], false));
      if (java == null) {
        assertThat(nat).isNull();
        assertThat(GrayPngDecoder.decode(png, new int[2], true))
            .isEqualTo(GrayPngDecoder.decode(png, new int[2], false));
      } else {
        assertThat(nat).isInstanceOf(IOException.class).hasMessage(java.getMessage());
      }
    }
    assertThat(catchThrowable(() -> GrayPngDecoder.decode(corrupt, new int[2], true)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not inflate");
    assertThat(GrayPngDecoder.decode(extra, new int[2], true)).hasSize(rows * cols);
  }

  /** The IHDR of {@code header}, the IDAT and IEND of {@code body}. */
  private static byte[] spliceHeader(byte[] header, byte[] body) {
    byte[] out = body.clone();
    System.arraycopy(header, 8, out, 8, 25);
    return out;
  }

  private static void fixIdatCrc(byte[] png) {
    int pos = 8 + 25;
    int len =
        ((png[pos] & 0xff) << 24)
            | ((png[pos + 1] & 0xff) << 16)
            | ((png[pos + 2] & 0xff) << 8)
            | (png[pos + 3] & 0xff);
    CRC32 crc = new CRC32();
    crc.update(png, pos + 4, 4 + len);
    int c = (int) crc.getValue();
    byte[] b = {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c};
    System.arraycopy(b, 0, png, pos + 8 + len, 4);
    assertThat(Arrays.copyOfRange(png, pos + 4, pos + 8)).isEqualTo("IDAT".getBytes());
  }
}
