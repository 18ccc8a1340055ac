package org.mammotriage.schemas.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * How a subject is named for a record written to a topic, as Confluent's serializers do: {@code
 * topic} ({@code <topic>-value}, the default: one schema per topic), {@code record} (the record's
 * full name: one schema shared by every topic that carries it), {@code topic-record} ({@code
 * <topic>-<full name>}). Keys are plain UTF-8 strings and have no subject.
 */
public enum SubjectNameStrategy {
  TOPIC("topic"),
  RECORD("record"),
  TOPIC_RECORD("topic-record");

  private final String label;

  SubjectNameStrategy(String label) {
    this.label = label;
  }

  /** The configuration value, e.g. {@code topic-record}. */
  public String label() {
    return label;
  }

  public static SubjectNameStrategy parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (SubjectNameStrategy n : values()) {
      if (n.label.equals(v)) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        "unknown subject name strategy '" + s + "'; one of topic, record, topic-record");
  }

  /** The subject for a value (or key) of {@code schema} written to {@code topic}. */
  public String subject(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC -> topic + (isKey ? "-key" : "-value");
      case RECORD -> schema.getFullName();
      case TOPIC_RECORD -> topic + "-" + schema.getFullName();
    };
  }
}
