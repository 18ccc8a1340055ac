package org.mammotriage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static ConfigDef def() {
    return CommonConfig.define()
        .define(
            "ingest.dicom.port",
            ConfigDef.Type.INT,
            11112,
            ConfigDef.Range.between(1, 65535),
            ConfigDef.Importance.HIGH,
            "DICOM port")
        .define(
            "ingest.secret.file",
            ConfigDef.Type.STRING,
            ConfigDef.NO_DEFAULT_VALUE,
            ConfigDef.Importance.HIGH,
            "secret file");
  }

  @Test
  void shouldApplyDefaultsThenFileThenEnvThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "ingest.dicom.port=2000\ningest.secret.file=/f\nkafka.acks=all\n");
    MammoConfig fromFile = ConfigLoader.load(def(), file, Map.of(), Map.of());
    assertThat(fromFile.getInt("ingest.dicom.port")).isEqualTo(2000);
    MammoConfig fromEnv =
        ConfigLoader.load(
            def(),
            file,
            Map.of(
                "MAMMOTRIAGE_INGEST_DICOM_PORT",
                "3000",
                "MAMMOTRIAGE_SERVICE_PORT",
                "ignored, as Kubernetes sets such variables"),
            Map.of());
    assertThat(fromEnv.getInt("ingest.dicom.port")).isEqualTo(3000);
    MammoConfig fromFlags =
        ConfigLoader.load(
            def(),
            file,
            Map.of("MAMMOTRIAGE_INGEST_DICOM_PORT", "3000"),
            Map.of("ingest.dicom.port", "4000"));
    assertThat(fromFlags.getInt("ingest.dicom.port")).isEqualTo(4000);
    assertThat(fromFlags.kafkaClientProps())
        .containsEntry("acks", "all")
        .containsEntry("bootstrap.servers", "localhost:9092");
  }

  @Test
  void shouldPassKafkaClientSettingsFromTheEnvironmentToTheClients() {
    MammoConfig c =
        ConfigLoader.load(
            def(),
            null,
            Map.of(
                "MAMMOTRIAGE_KAFKA_SSL_KEYSTORE_PASSWORD",
                "from-secret",
                "MAMMOTRIAGE_KAFKA_SECURITY_PROTOCOL",
                "SSL"),
            Map.of("ingest.secret.file", "x"));
    assertThat(c.kafkaClientProps())
        .containsEntry("ssl.keystore.password", "from-secret")
        .containsEntry("security.protocol", "SSL");
  }

  @Test
  void shouldNameTheUnknownKeyAndSuggestTheClosest() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    def(),
                    null,
                    Map.of(),
                    Map.of("ingest.dicom.prot", "1", "ingest.secret.file", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown configuration key 'ingest.dicom.prot'")
        .hasMessageContaining("did you mean 'ingest.dicom.port'");
  }

  @Test
  void shouldNameTheKeyAndTheExpectedTypeOnWrongValue() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    def(),
                    null,
                    Map.of(),
                    Map.of("ingest.dicom.port", "eleven", "ingest.secret.file", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ingest.dicom.port")
        .hasMessageContaining("eleven")
        .hasMessageContaining("INT");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    def(),
                    null,
                    Map.of(),
                    Map.of("ingest.dicom.port", "70000", "ingest.secret.file", "x")))
        .hasMessageContaining("ingest.dicom.port")
        .hasMessageContaining("no more than 65535");
  }

  @Test
  void shouldNameAMissingRequiredKey() {
    assertThatThrownBy(() -> ConfigLoader.load(def(), null, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ingest.secret.file");
  }

  @Test
  void shouldFailClearlyOnMissingFile(@TempDir Path dir) {
    assertThatThrownBy(
            () -> ConfigLoader.load(def(), dir.resolve("nope.properties"), Map.of(), Map.of()))
        .hasMessageContaining("nope.properties")
        .hasMessageContaining("does not exist");
  }

  @Test
  void shouldDocumentEveryCommonKey() {
    assertThat(ConfigLoader.undocumentedKeys(CommonConfig.define())).isEmpty();
    assertThat(
            ConfigLoader.undocumentedKeys(
                new ConfigDef().define("x", ConfigDef.Type.INT, 1, ConfigDef.Importance.LOW, "")))
        .containsExactly("x");
    assertThat(ConfigLoader.describe(CommonConfig.define()))
        .contains("kafka.bootstrap.servers")
        .contains("default localhost:9092");
  }
}
