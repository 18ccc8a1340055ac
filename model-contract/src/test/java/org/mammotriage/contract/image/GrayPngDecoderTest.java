package org.mammotriage.contract.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class GrayPngDecoderTest {

  @Test
  void shouldDecodeWhatImageIoWritesExactlyAsImageIoReadsIt() throws Exception {
    BufferedImage img = new BufferedImage(333, 211, BufferedImage.TYPE_BYTE_GRAY);
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    Random r = new Random(5);
    for (int i = 0; i < px.length; i++) {
      // smooth structure plus noise: ImageIO then picks a mix of filter types
      px[i] = (byte) ((i % 333) / 2 + (i / 333) / 3 + r.nextInt(8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    int[] dims = new int[2];

    byte[] got = GrayPngDecoder.decode(out.toByteArray(), dims);

    assertThat(dims).containsExactly(211, 333);
    assertThat(got).isEqualTo(imageIo(out.toByteArray()));
  }

  @Test
  void shouldUndoSubAndUpEightBytesAtATimeAtEveryRowLength() throws Exception {
    // Sub and Up are undone a long (8 pixels) at a time with a byte-by-byte tail: every width
    // from 1 to 25 (no long, one, several, with and without a tail) and the working image's 912,
    // on random pixels (every carry between bytes) and on 0xff runs (the top bit of every byte)
    for (int cols : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 912}) {
      int rows = 6;
      byte[] noise = new byte[rows * cols];
      new Random(cols).nextBytes(noise);
      byte[] bright = new byte[rows * cols];
      java.util.Arrays.fill(bright, (byte) 0xff);
      for (byte[] px : List.of(noise, bright)) {
        for (int filter = 1; filter <= 2; filter++) {
          byte[] png = png(px, rows, cols, filter, 1);
          assertThat(GrayPngDecoder.decode(png, new int[2]))
              .as("filter %d, %d columns", filter, cols)
              .isEqualTo(px)
              .isEqualTo(imageIo(png));
        }
      }
    }
  }

  @Test
  void shouldUndoEveryFilterType() throws Exception {
    int rows = 40;
    int cols = 57;
    byte[] px = new byte[rows * cols];
    new Random(9).nextBytes(px);
    for (int filter = 0; filter <= 4; filter++) {
      byte[] png = png(px, rows, cols, filter, 2);
      int[] dims = new int[2];
      assertThat(GrayPngDecoder.decode(png, dims)).as("filter %d", filter).isEqualTo(px);
      assertThat(imageIo(png)).as("ImageIO agrees, filter %d", filter).isEqualTo(px);
    }
  }

  @Test
  void shouldFallBackForOtherFormatsAndRefuseCorruptData() throws Exception {
    BufferedImage rgb = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(rgb, "png", out);
    assertThat(GrayPngDecoder.decode(out.toByteArray(), new int[2])).isNull();
    assertThat(ImagePreparer.decodeGray(out.toByteArray(), new int[2])).hasSize(100);

    byte[] good = png(new byte[30 * 30], 30, 30, 1, 1);
    byte[] truncated = Arrays.copyOf(good, good.length - 20);
    assertThatThrownBy(() -> GrayPngDecoder.decode(truncated, new int[2]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
    byte[] flipped = good.clone();
    flipped[45] ^= 0x10;
    assertThatThrownBy(() -> GrayPngDecoder.decode(flipped, new int[2]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("CRC");
    assertThatThrownBy(
            () -> GrayPngDecoder.decode("hello, not a png at all, really".getBytes(), new int[2]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a PNG");
  }

  @Test
  void shouldResizeWhileDecodingToWhatDecodeThenResizeGives() throws Exception {
    Random r = new Random(11);
    int rows = 97;
    int cols = 61;
    byte[] px = new byte[rows * cols];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) ((i % cols) * 3 + (i / cols) + r.nextInt(30));
    }
    // down by non-integer factors, down to one pixel, identity, up, and mixed (down one way, up or
    // unchanged the other)
    int[][] sizes = {
      {32, 20}, {13, 7}, {1, 1}, {97, 61}, {150, 100}, {97, 20}, {32, 100}, {150, 20}, {2, 61}
    };
    for (int filter = 0; filter <= 4; filter++) {
      byte[] png = png(px, rows, cols, filter, 3);
      for (int[] hw : sizes) {
        float[] twoPass = AreaResize.resize(asFloats(px), rows, cols, hw[0], hw[1]);
        float[] streamed = AreaResize.resize(px, rows, cols, hw[0], hw[1]);
        // pixel values are 0..255: float rounding of a different summation order stays far below
        assertThat(streamed)
            .as("row-streamed byte resize, %dx%d", hw[0], hw[1])
            .containsExactly(twoPass, within(1e-3f));
        assertThat(GrayPngDecoder.decodeResized(png, hw[0], hw[1]))
            .as("filter %d, %dx%d", filter, hw[0], hw[1])
            .containsExactly(streamed);
        // normalised in the same pass: the same float operations as normalising afterwards
        float scale = (float) (1.0 / (255.0 * 0.3));
        float shift = (float) (0.2 / 0.3);
        float[] expected = streamed.clone();
        for (int i = 0; i < expected.length; i++) {
          expected[i] = expected[i] * scale - shift;
        }
        assertThat(ImagePreparer.decodeNormalised(png, hw[0], hw[1], 0.2, 0.3, null))
            .as("normalised, filter %d, %dx%d", filter, hw[0], hw[1])
            .containsExactly(expected);
        // and straight into a slot of a direct input buffer, after 7 floats of something else
        int n = hw[0] * hw[1];
        java.nio.FloatBuffer dest =
            java.nio.ByteBuffer.allocateDirect(4 * (n + 9))
                .order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < n + 9; i++) {
          dest.put(i, -99f);
        }
        ImagePreparer.decodeNormalisedInto(png, hw[0], hw[1], 0.2, 0.3, dest, 7);
        float[] got = new float[n];
        dest.get(7, got);
        assertThat(got)
            .as("into a buffer, filter %d, %dx%d", filter, hw[0], hw[1])
            .containsExactly(expected);
        assertThat(dest.get(6)).isEqualTo(-99f);
        assertThat(dest.get(7 + n)).isEqualTo(-99f);
      }
    }
    byte[] good = png(px, rows, cols, 4, 1);
    byte[] flipped = good.clone();
    flipped[60] ^= 0x01;
    assertThatThrownBy(() -> GrayPngDecoder.decodeResized(flipped, 10, 10))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("CRC");
    assertThatThrownBy(() -> ImagePreparer.decodeAndResize(Arrays.copyOf(good, 100), 10, 10))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void shouldRefuseAnIdatStreamShorterThanTheImage() throws Exception {
    byte[] px = new byte[20 * 20];
    byte[] longer = png(new byte[30 * 20], 30, 20, 0, 1);
    // the IHDR says 30 rows; splice in the IDAT of a 20-row image: CRCs are right, data too short
    byte[] shorter = png(px, 20, 20, 0, 1);
    byte[] spliced = spliceIhdr(longer, shorter);
    assertThatThrownBy(() -> GrayPngDecoder.decodeResized(spliced, 5, 5))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("expected 630")
        .hasMessageContaining("truncated");
  }

  /** The IHDR chunk of {@code from}, the rest of {@code into}. */
  private static byte[] spliceIhdr(byte[] from, byte[] into) {
    byte[] out = into.clone();
    System.arraycopy(from, 8, out, 8, 25); // length, type, 13 data bytes, CRC
    return out;
  }

  private static float[] asFloats(byte[] px) {
    float[] f = new float[px.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = px[i] & 0xff;
    }
    return f;
  }

  private static byte[] imageIo(byte[] png) throws IOException {
    BufferedImage i = ImageIO.read(new ByteArrayInputStream(png));
    return ((DataBufferByte) i.getRaster().getDataBuffer()).getData();
  }

  /**
   * A grayscale PNG built by hand with one filter type on every row, IDAT split in {@code parts}.
   */
  static byte[] png(byte[] px, int rows, int cols, int filter, int parts) throws IOException {
    byte[] raw = new byte[rows * (cols + 1)];
    for (int y = 0; y < rows; y++) {
      raw[y * (cols + 1)] = (byte) filter;
      for (int x = 0; x < cols; x++) {
        int v = px[y * cols + x] & 0xff;
        int a = x == 0 ? 0 : px[y * cols + x - 1] & 0xff;
        int b = y == 0 ? 0 : px[(y - 1) * cols + x] & 0xff;
        int c = x == 0 || y == 0 ? 0 : px[(y - 1) * cols + x - 1] & 0xff;
        int pred =
            switch (filter) {
              case 0 -> 0;
              case 1 -> a;
              case 2 -> b;
              case 3 -> (a + b) / 2;
              default -> {
                int p = a + b - c;
                int pa = Math.abs(p - a);
                int pb = Math.abs(p - b);
                int pc = Math.abs(p - c);
                yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
              }
            };
        raw[y * (cols + 1) + 1 + x] = (byte) (v - pred);
      }
    }
    Deflater d = new Deflater();
    d.setInput(raw);
    d.finish();
    byte[] buf = new byte[raw.length * 2 + 64];
    int n = d.deflate(buf);
    d.end();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeLong(0x89504E470D0A1A0AL);
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(cols);
    h.writeInt(rows);
    h.write(new byte[] {8, 0, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    int step = (n + parts - 1) / parts;
    for (int from = 0; from < n; from += step) {
      chunk(out, "IDAT", Arrays.copyOfRange(buf, from, Math.min(n, from + step)));
    }
    chunk(out, "IEND", new byte[0]);
    return bytes.toByteArray();
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    out.writeInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
