package org.mammotriage.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PectoralLineTest {
  private static final int H = 128;
  private static final int W = 80;
  private static final float BG = -0.8f;

  /** A breast (tissue with noise out to column 64) with or without a bright muscle wedge. */
  private static float[] phantom(boolean muscle, long seed) {
    Random r = new Random(seed);
    float[] img = new float[H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        float v = x < 64 ? 0.2f + 0.15f * (float) r.nextGaussian() : BG;
        // wedge: x < 40 · (1 − y / 90)
        if (muscle && x < 40 * (1 - y / 90.0)) {
          v = 1.6f + 0.1f * (float) r.nextGaussian();
        }
        img[y * W + x] = v;
      }
    }
    return img;
  }

  @Test
  void shouldFindTheMuscleEdgeOfAnMloWedge() {
    PectoralLine line = PectoralLine.estimate(phantom(true, 1), H, W, BG);
    assertThat(line.found()).isTrue();
    // the edge x = 40 − (40/90)·y, within a couple of pixels
    assertThat(line.a()).isCloseTo(40, within(2.5));
    assertThat(line.b()).isCloseTo(-40 / 90.0, within(0.06));
    assertThat(line.contains(10, 10)).isTrue();
    assertThat(line.contains(50, 10)).isFalse();
    assertThat(line.contains(5, 100)).isFalse();
  }

  @Test
  void shouldFindNothingInAViewWithoutAMuscle() {
    assertThat(PectoralLine.estimate(phantom(false, 2), H, W, BG).found()).isFalse();
    assertThat(PectoralLine.NONE.cellFractions(H, W, 4, 5)).containsOnly(0f);
  }

  @Test
  void shouldGiveTheShareOfEachFeatureCellInsideTheMuscle() {
    // the line x = 32 − 0.5·y on a 64×64 image cut into 2×2 cells of 32 px
    PectoralLine line = new PectoralLine(32, -0.5);
    float[] f = line.cellFractions(64, 64, 2, 2);
    // top-left cell: x < 32 − y/2 for y in [0, 32): area = ∫ (32 − y/2) dy / 32² = 768 / 1024
    assertThat(f[0]).isCloseTo(0.75f, within(0.03f));
    assertThat(f[1]).isZero();
    // bottom-left: y in [32, 64): ∫ (32 − y/2) = 256 → .25
    assertThat(f[2]).isCloseTo(0.25f, within(0.03f));
    assertThat(f[3]).isZero();
  }
}
