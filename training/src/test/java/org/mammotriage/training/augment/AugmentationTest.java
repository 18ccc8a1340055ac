package org.mammotriage.training.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static float[] ramp(int h, int w) {
    float[] img = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img[y * w + x] = x + 100 * y;
      }
    }
    return img;
  }

  @Test
  void shouldShiftByWholePixelsForAPureTranslation() {
    // given a 5×8 ramp; translate by 2/8 of the width (2 px right) and 1/5 of the height (1 px
    // down)
    float[] img = ramp(5, 8);
    float[] out = Augmentation.affine(img, 5, 8, -1f, new double[] {0, 2.0 / 8, 1.0 / 5, 1, 0});
    // then pixel (x, y) holds the input at (x − 2, y − 1); what came from outside is the fill
    assertThat(out[3 * 8 + 5]).isCloseTo(img[2 * 8 + 3], within(1e-4f));
    assertThat(out[4 * 8 + 7]).isCloseTo(img[3 * 8 + 5], within(1e-4f));
    assertThat(out[0]).isEqualTo(-1f);
  }

  @Test
  void shouldRotateAboutTheCentre() {
    // a 90° rotation of a 5×5 image maps (x, y) → (c − (y − c), c + (x − c)) with c = 2
    float[] img = ramp(5, 5);
    float[] out = Augmentation.affine(img, 5, 5, 0f, new double[] {Math.PI / 2, 0, 0, 1, 0});
    // output (x=4, y=0) comes from input (0, 2)... inverse: src = R^-1 (dst − c) + c
    // dst (4, 0) − c = (2, −2); R^-1 (2, −2) = (−2, −2) → src (0, 0)
    assertThat(out[0 * 5 + 4]).isCloseTo(img[0], within(1e-4f));
    // the centre stays
    assertThat(out[2 * 5 + 2]).isCloseTo(img[2 * 5 + 2], within(1e-4f));
  }

  @Test
  void shouldScaleDistancesFromTheCentre() {
    // scale 2 about c = (2, 2): output (4, 2) samples the input at (3, 2)
    float[] img = ramp(5, 5);
    float[] out = Augmentation.affine(img, 5, 5, 0f, new double[] {0, 0, 0, 2, 0});
    assertThat(out[2 * 5 + 4]).isCloseTo(img[2 * 5 + 3], within(1e-4f));
    assertThat(out[2 * 5 + 3]).isCloseTo((img[2 * 5 + 2] + img[2 * 5 + 3]) / 2, within(1e-4f));
  }

  @Test
  void shouldLeaveTheImageAloneWithoutDisplacementAndSmoothNoiseToSmallShifts() {
    int n = 64;
    float[] img = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        img[y * n + x] = x + y; // slope 1 in both directions
      }
    }
    float[] still = Augmentation.elastic(img, n, n, 0f, 0, 5, new Random(1));
    assertThat(still).containsExactly(img);
    // α = 10, σ = 5: the smoothed noise has a spread of about 0.58 / (2·√π·σ) ≈ 0.033, so pixels
    // move by about a third of a pixel: the ramp changes by |dx| + |dy|, on average well under 1
    float[] moved = Augmentation.elastic(img, n, n, 0f, 10, 5, new Random(1));
    double sum = 0;
    int count = 0;
    for (int y = 16; y < n - 16; y++) {
      for (int x = 16; x < n - 16; x++) {
        sum += Math.abs(moved[y * n + x] - img[y * n + x]);
        count++;
      }
    }
    assertThat(sum / count).isBetween(0.1, 1.0);
  }

  @Test
  void shouldBeDeterministicPerSeedAndCopyTheInput() {
    float[] img = ramp(16, 12);
    var p = Augmentation.Params.mvMlm();
    float[] a = Augmentation.apply(img, 16, 12, 0f, p, new Random(42));
    float[] b = Augmentation.apply(img, 16, 12, 0f, p, new Random(42));
    assertThat(a).containsExactly(b);
    float[] none = Augmentation.apply(img, 16, 12, 0f, Augmentation.Params.none(), new Random(3));
    assertThat(none).containsExactly(img).isNotSameAs(img);
    // over many seeds, about half the images get each transformation
    int changed = 0;
    for (int s = 0; s < 200; s++) {
      float[] o =
          Augmentation.apply(
              img, 16, 12, 0f, p, new Random(new java.util.SplittableRandom(s).nextLong()));
      changed += java.util.Arrays.equals(o, img) ? 0 : 1;
    }
    assertThat(changed).isBetween(120, 180); // 1 − 0.5·0.5 = 75 %
  }
}
