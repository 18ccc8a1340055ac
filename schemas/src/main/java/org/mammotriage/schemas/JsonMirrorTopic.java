package org.mammotriage.schemas;

import java.util.Map;
import org.mammotriage.schemas.avro.TriageDecision;

/**
 * A plain-JSON copy of a decision topic, for integrators without Avro (readable with {@code kcat}):
 * same keys (the StudyInstanceUID), values one JSON object per decision. Written only when {@code
 * streams.json.mirror.enabled} is true.
 */
public record JsonMirrorTopic(String name, TopicSpec<TriageDecision> source, String doc) {

  /** As many partitions as its source, so a study keeps its partition. */
  public int defaultPartitions() {
    return source.defaultPartitions();
  }

  /** The source's retention. */
  public Map<String, String> configs() {
    return source.configs();
  }
}
