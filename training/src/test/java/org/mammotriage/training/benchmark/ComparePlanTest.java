package org.mammotriage.training.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mammotriage.training.model.ModelConfig;

class ComparePlanTest {
  private static CompareProtocol.Plan plan(int baselineSeeds) {
    return new CompareProtocol.Plan(
        List.of("random", "supervised", "clip", "glam-nolocal"),
        List.of(1L, 2L, 3L),
        ModelConfig.tiny(0),
        2,
        4,
        1e-3f,
        new double[] {1.0},
        2,
        10,
        List.of("clip"),
        baselineSeeds,
        List.of("random", "supervised", "glam-nolocal"));
  }

  @Test
  void shouldTrainTheBaselinesOnTheFirstSeedsOnlyWhenAsked() {
    CompareProtocol.Plan p = plan(1);
    assertThat(p.runs("supervised", 0)).isTrue();
    assertThat(p.runs("supervised", 1)).isFalse();
    assertThat(p.runs("random", 2)).isFalse();
    assertThat(p.runs("clip", 2)).isTrue();
    assertThat(p.runs("glam-nolocal", 2)).isFalse();
    assertThat(p.runs("glam-nolocal", 0)).isTrue();
    assertThat(plan(3).runs("random", 2)).isTrue();
  }

  @Test
  void shouldRefuseMoreBaselineSeedsThanSeeds() {
    assertThatThrownBy(() -> plan(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 1 and the number of seeds (3)");
  }
}
