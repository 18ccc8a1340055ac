package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;

class IngestConfigTest {
  @Test
  void shouldDocumentEveryKey() {
    assertThat(ConfigLoader.undocumentedKeys(IngestConfig.define(CommonConfig.define()))).isEmpty();
  }

  @Test
  void shouldRejectAPortOutOfRange() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    IngestConfig.define(CommonConfig.define()),
                    null,
                    Map.of(),
                    Map.of(IngestConfig.DICOM_PORT, "70000")))
        .hasMessageContaining("ingest.dicom.port");
  }
}
