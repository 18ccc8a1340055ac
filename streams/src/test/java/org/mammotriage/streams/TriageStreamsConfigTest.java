package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;

class TriageStreamsConfigTest {
  @Test
  void shouldDocumentEveryKey() {
    assertThat(ConfigLoader.undocumentedKeys(TriageStreamsConfig.define(CommonConfig.define())))
        .isEmpty();
  }

  @Test
  void shouldRejectANonNumericThreshold() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    TriageStreamsConfig.define(CommonConfig.define()),
                    null,
                    Map.of(),
                    Map.of(TriageStreamsConfig.THRESHOLD_LOW, "low")))
        .hasMessageContaining("triage.threshold.low");
  }
}
