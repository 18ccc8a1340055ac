package org.mammotriage.contract.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The working-image PNG writer: a valid 8-bit grayscale PNG (ImageIO reads it, every chunk's CRC
 * checks) holding exactly the pixels given, with libdeflate and with java.util.zip.
 */
class GrayPngEncoderTest {

  @Test
  void shouldRoundTripExactPixelsThroughEveryDecoderWithBothDeflates() throws Exception {
    Random r = new Random(7);
    int[][] sizes = {{1, 1}, {1, 9}, {9, 1}, {40, 57}, {7, 3000}, {1520, 912}};
    for (int[] size : sizes) {
      int rows = size[0];
      int cols = size[1];
      byte[] px = new byte[rows * cols];
      for (int i = 0; i < px.length; i++) {
        // smooth areas (Up wins), ramps (Sub wins), noise and the 0/255 ends
        int y = i / cols;
        int x = i % cols;
        px[i] = (byte) (y % 3 == 0 ? r.nextInt(256) : y < rows / 2 ? x / 2 + y : 255 - x % 7);
      }
      for (boolean nativeDeflate : new boolean[] {true, false}) {
        String what = rows + "x" + cols + (nativeDeflate ? " libdeflate" : " java.util.zip");
        byte[] png = GrayPngEncoder.encode(px, rows, cols, nativeDeflate);
        int[] dims = new int[2];
        assertThat(GrayPngDecoder.decode(png, dims, true)).as(what).isEqualTo(px);
        assertThat(GrayPngDecoder.decode(png, dims, false)).as(what).isEqualTo(px);
        assertThat(dims).containsExactly(rows, cols);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img).as(what).isNotNull();
        assertThat(img.getType()).as(what).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(img.getSampleModel().getSampleSize(0)).isEqualTo(8);
        byte[] back = new byte[rows * cols];
        img.getRaster().getDataElements(0, 0, cols, rows, back);
        assertThat(back).as(what).isEqualTo(px);
      }
    }
  }

  @Test
  void shouldUseLibdeflateHere() {
    assertThat(GrayPngEncoder.nativeDeflate()).as(NativeInflate.description()).isTrue();
  }

  @Test
  void shouldCompressASmoothImageWell() {
    int rows = 1520;
    int cols = 912;
    byte[] px = new byte[rows * cols];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) ((i % cols) / 4 + (i / cols) / 8);
    }
    assertThat(GrayPngEncoder.encode(px, rows, cols).length).isLessThan(px.length / 20);
  }

  @Test
  void shouldRefuseTooFewPixels() {
    assertThatThrownBy(() -> GrayPngEncoder.encode(new byte[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
