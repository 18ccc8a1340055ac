package org.mammotriage.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MedianIntervalTest {
  @Test
  void shouldGiveTheWidestIntervalWithItsCoverageWhenFiveRunsCannotReachTheLevel() {
    MedianInterval m = MedianInterval.of(List.of(0.74, 0.58, 0.83, 0.72, 0.64));

    assertThat(m.median()).isEqualTo(0.72);
    assertThat(m.lo()).isEqualTo(0.58);
    assertThat(m.hi()).isEqualTo(0.83);
    assertThat(m.coverage()).isCloseTo(1 - 2.0 / 32, within(1e-12));
    assertThat(m.format("%.3f")).isEqualTo("0.720 [0.580, 0.830], 93.8 % interval");
  }

  @Test
  void shouldDropTheExtremesOnceTheIntervalWithoutThemStillCoversNinetyFivePercent() {
    List<Double> runs = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      runs.add(i / 10.0);
    }
    java.util.Collections.shuffle(runs, new java.util.Random(3));

    MedianInterval m = MedianInterval.of(runs);

    assertThat(m.median()).isEqualTo(0.5);
    assertThat(m.lo()).isEqualTo(0.2);
    assertThat(m.hi()).isEqualTo(0.8);
    assertThat(m.coverage()).isCloseTo(1 - 2 * 10.0 / 512, within(1e-12));
    assertThat(MedianInterval.coverage(10, 2)).isCloseTo(1 - 2 * 11.0 / 1024, within(1e-12));
    assertThat(MedianInterval.of(List.of(0.4, 0.6)).median()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void shouldCoverTheMedianOfASkewedDistributionAtLeastAsOftenAsItSays() {
    // exponential runs: the true median is ln 2; 20,000 samples of 9 runs each
    SplittableRandom rnd = new SplittableRandom(24);
    double truth = Math.log(2);
    int covered = 0;
    int trials = 20_000;
    double said = 0;
    for (int t = 0; t < trials; t++) {
      List<Double> runs = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        runs.add(-Math.log(1 - rnd.nextDouble()));
      }
      MedianInterval m = MedianInterval.of(runs);
      said = m.coverage();
      if (m.lo() <= truth && truth <= m.hi()) {
        covered++;
      }
    }
    // 0.961 said; the binomial spread of 20,000 trials is about 0.0014
    assertThat(covered / (double) trials).isCloseTo(said, within(0.006));
  }

  @Test
  void shouldCallTheGoalMetOrMissedOnlyWhenTheWholeIntervalIsOnOneSide() {
    assertThat(MedianInterval.of(List.of(0.81, 0.85, 0.90, 0.83, 0.88)).verdict(0.8))
        .isEqualTo("met");
    assertThat(MedianInterval.of(List.of(0.71, 0.75, 0.70, 0.73, 0.79)).verdict(0.8))
        .isEqualTo("NOT met");
    assertThat(MedianInterval.of(List.of(0.71, 0.82, 0.78, 0.84, 0.79)).verdict(0.8))
        .startsWith("not decided by 5 runs: the median is below the goal");
    assertThat(MedianInterval.of(List.of(0.71, 0.82, 0.81, 0.84, 0.79)).verdict(0.8))
        .startsWith("not decided by 5 runs: the median is at or above the goal");
    assertThat(MedianInterval.of(List.of(0.70, 0.72, 0.71, 0.69)).verdict(0.8))
        .startsWith("not decided: 4 runs give only a 87.5 % interval (the median is below");
    assertThatThrownBy(() -> MedianInterval.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
