package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;

class ScoringConfigTest {
  @Test
  void shouldDocumentEveryKey() {
    assertThat(ConfigLoader.undocumentedKeys(ScoringConfig.define(CommonConfig.define())))
        .isEmpty();
  }

  @Test
  void shouldRejectAnUnknownDevice() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    ScoringConfig.define(CommonConfig.define()),
                    null,
                    Map.of(),
                    Map.of(ScoringConfig.DEVICE, "tpu")))
        .hasMessageContaining("scoring.device")
        .hasMessageContaining("tpu");
  }
}
