package org.mammotriage.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.mammotriage.schemas.JsonMirrorTopic;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.PlainJson;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * The optional plain-JSON mirror ({@code streams.json.mirror.enabled}): a sub-topology of its own
 * that reads the committed decisions back from their topics and writes each, same key, as one JSON
 * object to the topic's {@link Topics#JSON_MIRRORS mirror}, for integrators without Avro ({@code
 * kcat}). It touches no state and no other processor; the names below are part of the topology's
 * compatibility contract.
 */
public final class JsonDecisionMirror {
  public static final String SOURCE = "json-mirror-source";
  public static final String SINK = "json-mirror-sink";

  private JsonDecisionMirror() {}

  public static void addTo(Topology t, SerdeFactory serdes) {
    String[] decisionTopics =
        Topics.JSON_MIRRORS.stream().map(m -> m.source().name()).toArray(String[]::new);
    t.addSource(
        SOURCE,
        Serdes.String().deserializer(),
        Topics.RISK_ELEVATED.valueSerde(serdes).deserializer(),
        decisionTopics);
    t.addSink(
        SINK,
        (key, value, ctx) -> mirrorOf(ctx.topic()),
        Serdes.String().serializer(),
        PlainJson.<TriageDecision>serializer(),
        SOURCE);
  }

  static String mirrorOf(String decisionTopic) {
    return Topics.jsonMirrorOf(decisionTopic)
        .map(JsonMirrorTopic::name)
        .orElseThrow(() -> new IllegalStateException("no JSON mirror for " + decisionTopic));
  }
}
