package org.mammotriage.streams;

import org.mammotriage.schemas.TopicSpec;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;

/**
 * The suspicion categories of DESIGN §4 (and {@link #OUT_OF_DOMAIN}, the domain gate's), each with
 * the label written into {@code ExamScore} and {@code TriageDecision}, the topic its decisions go
 * to, and the name of the topology's sink for that topic. Sink names are a compatibility contract:
 * renaming one needs an application reset.
 *
 * <p>Risk elevation is not a category: it is a second route that any category may also take, so it
 * stays apart ({@link ExamTriageTopology#SINK_RISK}).
 */
public enum Category {
  SUSPICIOUS("suspicious", Topics.SUSPICIOUS, "triage-suspicious-sink"),
  ROUTINE("routine", Topics.ROUTINE, "triage-routine-sink"),
  LOW("low", Topics.LOW, "triage-low-sink"),
  INCOMPLETE("incomplete", Topics.INCOMPLETE, "triage-incomplete-sink"),
  /**
   * Outside the model's validated domain (the domain gate, {@code triage.domain.enforce=true} or
   * {@code header-only}): not routed by its score; read by standard practice.
   */
  OUT_OF_DOMAIN("out_of_domain", Topics.OUT_OF_DOMAIN, "triage-out-of-domain-sink");

  private final String label;
  private final TopicSpec<TriageDecision> topic;
  private final String sinkName;

  Category(String label, TopicSpec<TriageDecision> topic, String sinkName) {
    this.label = label;
    this.topic = topic;
    this.sinkName = sinkName;
  }

  /** The category with this label (the records' {@code category} field). */
  public static Category fromLabel(String label) {
    for (Category c : values()) {
      if (c.label.equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown triage category '"
            + label
            + "' (expected suspicious, routine, low, incomplete or out_of_domain)");
  }

  /** The value of the records' {@code category} field and of the metrics' category tag. */
  public String label() {
    return label;
  }

  /** The topic the category's decisions are written to. */
  public TopicSpec<TriageDecision> topic() {
    return topic;
  }

  /** The name of the topology's sink that writes to {@link #topic()}. */
  public String sinkName() {
    return sinkName;
  }
}
