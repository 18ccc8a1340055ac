package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.testing.FakeSchemaRegistry;

class RegistryStartupTest {

  static MammoConfig ingest(Map<String, String> flags) {
    return ConfigLoader.load(IngestConfig.define(CommonConfig.define()), null, Map.of(), flags);
  }

  @Test
  void shouldRegisterAtStartAndBeReadyOnlyWhileTheRegistryAnswers() throws Exception {
    var reg = new FakeSchemaRegistry().globalCompatibility("NONE");
    var client =
        RegistryStartup.check(
            ingest(Map.of(CommonConfig.REGISTRY_URL, reg.url())), RegistryStartup.ingestWrites());
    assertThat(reg.subjects()).contains("mammo.images.v1-value", "mammo.ingest.dlq.v1-value");
    assertThat(reg.subjectCompatibility("mammo.images.v1-value")).isEqualTo("BACKWARD");
    var ready = RegistryStartup.readiness(() -> true, client);
    assertThat(ready.getAsBoolean()).isTrue();
    assertThat(RegistryStartup.readiness(() -> false, client).getAsBoolean()).isFalse();
    reg.close();
    assertThat(ready.getAsBoolean()).as("registry gone: not ready").isFalse();
  }

  @Test
  void shouldStartWhenTheRegistryDoesNotAnswerButNotWhenItRefuses() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    var client =
        RegistryStartup.check(
            ingest(
                Map.of(
                    CommonConfig.REGISTRY_URL,
                    "http://127.0.0.1:" + dead,
                    CommonConfig.REGISTRY_RETRY_TIMEOUT,
                    "0")),
            RegistryStartup.ingestWrites());
    assertThat(client).as("deferred, not fatal").isPresent();
    assertThat(RegistryStartup.readiness(() -> true, client).getAsBoolean()).isFalse();

    try (var reg = new FakeSchemaRegistry()) {
      assertThatThrownBy(
              () ->
                  RegistryStartup.check(
                      ingest(
                          Map.of(
                              CommonConfig.REGISTRY_URL,
                              reg.url(),
                              CommonConfig.REGISTRY_AUTO_REGISTER,
                              "false")),
                      RegistryStartup.ingestWrites()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("mammo.images.v1-value")
          .hasMessageContaining("MammogramImage")
          .hasMessageContaining("auto.register is false");
    }
  }

  @Test
  void shouldBeReadyWithoutARegistryWhenNoneIsConfigured() {
    var client = RegistryStartup.check(ingest(Map.of()), RegistryStartup.ingestWrites());
    assertThat(client).isEmpty();
    assertThat(RegistryStartup.readiness(() -> true, client).getAsBoolean()).isTrue();
  }
}
