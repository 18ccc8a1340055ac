package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.SampleRecords;
import picocli.CommandLine;

class WatchCommandIT {
  private static KafkaTestCluster kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestCluster.start();
    TriageDecision routine = SampleRecords.decision();
    TriageDecision suspicious =
        TriageDecision.newBuilder(routine)
            .setExamKey("2.25.77")
            .setCategory("suspicious")
            .setSuspicion(0.91)
            .setRisk(List.of(0.01, 0.02, 0.03, 0.05, 0.08))
            .build();
    var ser = SerdeFactory.singleObject().serde(TriageDecision.class, false).serializer();
    try (var p =
        new KafkaProducer<String, TriageDecision>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            ser)) {
      p.send(new ProducerRecord<>(Topics.ROUTINE.name(), routine.getExamKey(), routine)).get();
      p.send(new ProducerRecord<>(Topics.SUSPICIOUS.name(), suspicious.getExamKey(), suspicious))
          .get();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  private static String run(String... args) {
    WatchCommand cmd = new WatchCommand();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    cmd.out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int rc = new CommandLine(cmd).execute(args);
    assertThat(rc).isZero();
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldPrintOnlyTheSuspiciousTopicWhenAsked() {
    String out =
        run(
            "--bootstrap",
            kafka.bootstrapServers(),
            "--topic",
            "suspicious",
            "--from-beginning",
            "--max",
            "1",
            "--idle-exit",
            "30");
    assertThat(out).contains("2.25.77").contains("suspicious").contains("0.910").contains("0.080");
    assertThat(out).doesNotContain("routine ");
  }

  @Test
  void shouldEmitOneJsonObjectPerDecisionForPiping() throws Exception {
    String out =
        run(
            "--bootstrap",
            kafka.bootstrapServers(),
            "--json",
            "--from-beginning",
            "--max",
            "2",
            "--idle-exit",
            "30");
    List<JsonNode> rows =
        Arrays.stream(out.split("\n"))
            .filter(l -> !l.isBlank())
            .map(
                l -> {
                  try {
                    return new ObjectMapper().readTree(l);
                  } catch (Exception e) {
                    throw new AssertionError("not JSON: " + l, e);
                  }
                })
            .toList();
    assertThat(rows)
        .extracting(n -> n.get("category").asText())
        .containsExactlyInAnyOrder("routine", "suspicious");
  }
}
