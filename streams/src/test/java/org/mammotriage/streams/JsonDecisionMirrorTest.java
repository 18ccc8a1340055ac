package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.SampleRecords;

class JsonDecisionMirrorTest {
  static final SerdeFactory SERDES = SerdeFactory.singleObject();

  @Test
  void shouldCopyEachDecisionAsPlainJsonToItsTopicsMirrorWithTheSameKey() throws Exception {
    Topology t = new Topology();
    JsonDecisionMirror.addTo(t, SERDES);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "mirror-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(t, p)) {
      TriageDecision d = SampleRecords.decision();
      var low =
          driver.createInputTopic(
              Topics.LOW.name(),
              new StringSerializer(),
              Topics.LOW.valueSerde(SERDES).serializer());
      var risk =
          driver.createInputTopic(
              Topics.RISK_ELEVATED.name(),
              new StringSerializer(),
              Topics.RISK_ELEVATED.valueSerde(SERDES).serializer());
      low.pipeInput(d.getExamKey(), d);
      risk.pipeInput(d.getExamKey(), d);

      var lowJson =
          driver
              .createOutputTopic(
                  "mammo.triage.low.json.v1", new StringDeserializer(), new ByteArrayDeserializer())
              .readKeyValuesToList();
      var riskJson =
          driver
              .createOutputTopic(
                  "mammo.risk.elevated.json.v1",
                  new StringDeserializer(),
                  new ByteArrayDeserializer())
              .readKeyValuesToList();

      assertThat(lowJson).hasSize(1);
      assertThat(riskJson).hasSize(1);
      assertThat(lowJson.get(0).key).isEqualTo(d.getExamKey());
      JsonNode n =
          new ObjectMapper().readTree(new String(lowJson.get(0).value, StandardCharsets.UTF_8));
      assertThat(n.path("examKey").asText()).isEqualTo(d.getExamKey());
      assertThat(n.path("category").asText()).isEqualTo(d.getCategory());
      assertThat(driver.producedTopicNames())
          .doesNotContain(Topics.ROUTINE.name(), "mammo.triage.routine.json.v1");
    }
  }

  @Test
  void shouldAddTheMirrorOnlyWhenEnabled() {
    var metrics = new StreamsMetrics(OpsServer.newRegistry());
    String off =
        ExamTriageTopology.build(TriageSettings.defaults(), null, SERDES, metrics, false)
            .describe()
            .toString();
    String on =
        ExamTriageTopology.build(TriageSettings.defaults(), null, SERDES, metrics, true)
            .describe()
            .toString();
    assertThat(off).doesNotContain(JsonDecisionMirror.SOURCE);
    assertThat(on)
        .contains(JsonDecisionMirror.SOURCE, JsonDecisionMirror.SINK, ExamTriageTopology.ASSEMBLER);
  }
}
