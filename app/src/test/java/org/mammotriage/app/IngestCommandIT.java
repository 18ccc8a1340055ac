package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;

/** {@code mammotriage ingest} as started by its command: readiness and ports. */
class IngestCommandIT {
  private static MammoConfig config(String bootstrap) {
    return ConfigLoader.load(
        IngestCommand.definition(),
        null,
        Map.of(),
        Map.of(
            CommonConfig.KAFKA_BOOTSTRAP, bootstrap,
            CommonConfig.OPS_HTTP_PORT, "0",
            IngestConfig.DICOM_PORT, "0",
            IngestConfig.DEMO, "true",
            IngestConfig.PUBLISH_TIMEOUT_MS, "1000"));
  }

  private static int ready(int opsPort) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health/ready"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void shouldReportNotReadyWhileKafkaIsUnreachableAndReadyWithKafka() throws Exception {
    // given: a bootstrap address where nothing listens
    int nothing;
    try (ServerSocket s = new ServerSocket(0)) {
      nothing = s.getLocalPort();
    }
    java.nio.file.Path spool;
    try (IngestCommand.Running down = IngestCommand.start(config("127.0.0.1:" + nothing))) {
      // then: the SCP listens, but ingest cannot store anything: not ready
      assertThat(down.scp().isRunning()).isTrue();
      assertThat(ready(down.ops().port())).isEqualTo(503);
      spool = down.spool();
      assertThat(spool).isDirectory();
    }
    // and the spool folder it made is gone with it
    assertThat(spool).doesNotExist();
    try (KafkaTestCluster kafka = KafkaTestCluster.start();
        IngestCommand.Running up = IngestCommand.start(config(kafka.bootstrapServers()))) {
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            try {
              return ready(up.ops().port()) == 200;
            } catch (Exception e) {
              return false;
            }
          },
          () -> "ready with Kafka up");
    }
  }

  @Test
  void shouldGiveIngestAndStreamsDifferentDefaultOpsPorts() {
    Object ingest = IngestCommand.definition().defaultValues().get(CommonConfig.OPS_HTTP_PORT);
    Object streams = CommonConfig.define().defaultValues().get(CommonConfig.OPS_HTTP_PORT);
    assertThat(ingest).isEqualTo(8081);
    assertThat(streams).isEqualTo(8080);
  }
}
