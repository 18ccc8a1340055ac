package org.mammotriage.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.testing.SampleRecords;

class PlainJsonTest {

  @Test
  void shouldWriteADecisionAsPlainJsonWithUnwrappedUnionsAndIsoTimes() throws Exception {
    TriageDecision d =
        TriageDecision.newBuilder(SampleRecords.decision())
            .setSuspicion(0.25)
            .setAccessionNumber(null)
            .build();

    JsonNode n =
        new ObjectMapper()
            .readTree(PlainJson.<TriageDecision>serializer().serialize(Topics.LOW.name(), d));

    assertThat(n.path("examKey").asText()).isEqualTo(d.getExamKey());
    assertThat(n.path("examVersion").asInt()).isEqualTo(d.getExamVersion());
    assertThat(n.path("suspicion").isDouble()).as("a union is its value").isTrue();
    assertThat(n.path("suspicion").asDouble()).isEqualTo(0.25);
    assertThat(n.path("accessionNumber").isNull()).isTrue();
    assertThat(n.path("decidedAt").asText()).isEqualTo(d.getDecidedAt().toString()).endsWith("Z");
    assertThat(n.path("risk")).hasSize(d.getRisk().size());
    assertThat(n.size()).isEqualTo(TriageDecision.getClassSchema().getFields().size());
  }

  @Test
  void shouldMirrorEachDecisionTopicOnceUnderAVersionedJsonName() {
    assertThat(Topics.JSON_MIRRORS).hasSize(6);
    for (var m : Topics.JSON_MIRRORS) {
      assertThat(m.name()).matches("mammo\\.[a-z_.]+\\.json\\.v\\d+");
      assertThat(Topics.jsonMirrorOf(m.source().name())).contains(m);
      assertThat(m.defaultPartitions()).isEqualTo(m.source().defaultPartitions());
    }
    assertThat(Topics.jsonMirrorOf(Topics.IMAGES.name())).isEmpty();
  }
}
