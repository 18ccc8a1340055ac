package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;

/**
 * Nothing acknowledged is lost: with the broker down the SCP answers failures (never success);
 * after it is back a re-send succeeds; Kafka holds exactly as many images as successes were
 * reported to the sender.
 */
class BrokerOutageIT {
  @TempDir Path dir;

  @Test
  void shouldAnswerFailureWhileKafkaIsDownAndStoreEverythingOnResend() throws Exception {
    SyntheticArchive.of(SynthOptions.defaults(1, 5).withScale(0.05)).generate(dir.resolve("a"));
    List<Path> files;
    try (var s = Files.walk(dir.resolve("a"))) {
      files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().limit(4).toList();
    }
    try (EmbeddedBroker broker = EmbeddedBroker.create(dir.resolve("kafka"), 0).start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        TopicAdmin.ensureTopics(admin, (short) 1, 1);
      }
      try (IngestHarness ingest =
          new IngestHarness(
              broker.bootstrapServers(),
              dir.resolve("spool"),
              Map.of(IngestConfig.PUBLISH_TIMEOUT_MS, "2000"))) {
        broker.stop();
        Map<String, String> down = Storescu.send(ingest.port(), "MODALITY", List.of(), files);
        assertThat(down.values()).as("no success while Kafka is down").noneMatch("Success"::equals);
        assertThat(down.values())
            .allMatch(
                r -> r.contains("Refused") || r.contains("OutOfResources") || r.contains("Error"));

        broker.start();
        Map<String, String> up = Storescu.send(ingest.port(), "MODALITY", List.of(), files);
        long successes =
            down.values().stream().filter("Success"::equals).count()
                + up.values().stream().filter("Success"::equals).count();
        assertThat(up.values()).as("re-send after the broker is back").allMatch("Success"::equals);
        assertThat(countImages(broker.bootstrapServers())).isEqualTo(successes);
      }
    }
  }

  private static long countImages(String bootstrap) {
    Map<String, Object> p =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "count",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            Topics.IMAGE_MAX_MESSAGE_BYTES);
    long n = 0;
    long quietSince = System.nanoTime();
    try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.IMAGES.name()));
      while (System.nanoTime() - quietSince < Duration.ofSeconds(4).toNanos()) {
        int got = c.poll(Duration.ofMillis(200)).count();
        if (got > 0) {
          n += got;
          quietSince = System.nanoTime();
        }
      }
    }
    return n;
  }
}
