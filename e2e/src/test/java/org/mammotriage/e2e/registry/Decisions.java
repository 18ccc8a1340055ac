package org.mammotriage.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * The decisions on the five decision topics as each reader sees them: read here in Java to the end
 * of every partition (read_committed), and by the Python and Node consumers of {@code
 * docs/examples}, run as a subscriber would run them.
 */
final class Decisions {
  static final List<String> TOPICS =
      List.of(
          Topics.SUSPICIOUS.name(),
          Topics.ROUTINE.name(),
          Topics.LOW.name(),
          Topics.INCOMPLETE.name(),
          Topics.RISK_ELEVATED.name());
  static final Path ROOT = Path.of(System.getProperty("mammotriage.root", "..")).normalize();
  static final Path EXAMPLES = ROOT.resolve("docs/examples");

  /** What every reader must agree on for one decision record. */
  record Seen(String topic, String examKey, int examVersion, String category) {
    static Seen of(JsonNode n) {
      return new Seen(
          n.path("topic").asText(),
          n.path("examKey").asText(),
          n.path("examVersion").asInt(),
          n.path("category").asText());
    }
  }

  /** A decision as Java read it, with the raw value (its header carries the schema id). */
  record Raw(Seen seen, String key, byte[] value) {}

  private Decisions() {}

  /** Every committed decision, read to the end offsets of all partitions. */
  static List<Raw> readAll(String bootstrap, SerdeFactory serdes) {
    var de = serdes.serde(TriageDecision.class, false).deserializer();
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<Raw> out = new ArrayList<>();
    try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : TOPICS) {
        c.partitionsFor(t).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!reachedEnd(c, end.entrySet()) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          TriageDecision d = de.deserialize(r.topic(), r.value());
          out.add(
              new Raw(
                  new Seen(r.topic(), d.getExamKey(), d.getExamVersion(), d.getCategory()),
                  r.key(),
                  r.value()));
        }
      }
      assertThat(reachedEnd(c, end.entrySet()))
          .as("read every decision partition to its end")
          .isTrue();
    }
    return out;
  }

  private static boolean reachedEnd(
      KafkaConsumer<?, ?> c, Collection<Map.Entry<TopicPartition, Long>> end) {
    return end.stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
  }

  /** Debian's Python (its python3-confluent-kafka and python3-avro), not a pyenv or venv one. */
  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** The Node example's folder, with node_modules installed by ./run (npm ci). */
  static Path nodeExample() {
    Path dir = EXAMPLES.resolve("node");
    assertThat(dir.resolve("node_modules/kafkajs"))
        .as("npm packages of docs/examples/node (./run test installs them with npm ci)")
        .isDirectory();
    return dir;
  }

  /** Runs a consumer example; its stdout is one JSON object per decision. */
  static List<Seen> runConsumer(Path dir, Duration timeout, String... cmd) throws Exception {
    Path out = Files.createTempFile("consumer", ".out");
    Path err = Files.createTempFile("consumer", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean ended = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(ended).as("%s ended within %s; stderr: %s", List.of(cmd), timeout, stderr).isTrue();
    assertThat(p.exitValue()).as("%s exit; stderr: %s", List.of(cmd), stderr).isZero();
    List<Seen> seen = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        seen.add(Seen.of(json.readTree(line)));
      }
    }
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return seen;
  }

  static String readFile(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
