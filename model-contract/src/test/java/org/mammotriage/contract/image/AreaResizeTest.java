package org.mammotriage.contract.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AreaResizeTest {
  @Test
  void shouldAverageAnImageWhosePixelSumExceedsAnInt() {
    // 9000 x 1000 white pixels: their sum (2.3e9) does not fit in an int
    int rows = 9000;
    int cols = 1000;
    byte[] white = new byte[rows * cols];
    Arrays.fill(white, (byte) 255);
    assertThat(AreaResize.resize(white, rows, cols, 1, 1))
        .containsExactly(new float[] {255f}, within(1e-2f));
    for (float v : AreaResize.resize(white, rows, cols, 3, 2)) {
      assertThat(v).isCloseTo(255f, within(1e-2f));
    }
  }

  @Test
  void shouldGiveTheMeanOfEachAreaWhenShrinkingByAnIntegerFactor() {
    // 6x4 pixels, value = row * 10 + col, to 2x2: each output pixel is the mean of a 3x2 block
    byte[] px = new byte[24];
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 4; x++) {
        px[y * 4 + x] = (byte) (y * 10 + x);
      }
    }
    float[] out = AreaResize.resize(px, 6, 4, 2, 2);
    assertThat(out).containsExactly(new float[] {10.5f, 12.5f, 40.5f, 42.5f}, within(1e-4f));
  }
}
