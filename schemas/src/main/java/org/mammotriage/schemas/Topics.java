package org.mammotriage.schemas;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;

/** The immutable registry of every topic the system reads or writes (DESIGN §2). */
public final class Topics {

  /** Images can reach several MiB as PNG; brokers and producers must accept 8 MiB records. */
  public static final int IMAGE_MAX_MESSAGE_BYTES = 8 * 1024 * 1024 + 64 * 1024;

  public static final TopicSpec<MammogramImage> IMAGES =
      new TopicSpec<>(
          "mammo.images.v1",
          MammogramImage.class,
          6,
          Map.of(
              "max.message.bytes",
              Integer.toString(IMAGE_MAX_MESSAGE_BYTES),
              "retention.ms",
              Long.toString(7L * 24 * 3600 * 1000),
              "compression.type",
              "producer"),
          "validated, preprocessed mammograms keyed by study");
  public static final TopicSpec<RejectedInstance> INGEST_DLQ =
      new TopicSpec<>(
          "mammo.ingest.dlq.v1",
          RejectedInstance.class,
          1,
          Map.of("retention.ms", Long.toString(30L * 24 * 3600 * 1000)),
          "rejected instances and unprocessable records, with reason codes");
  public static final TopicSpec<ExamScore> SCORES =
      new TopicSpec<>(
          "mammo.scores.v1",
          ExamScore.class,
          6,
          Map.of("retention.ms", "-1"),
          "one score per exam version: the audit trail");
  public static final TopicSpec<TriageDecision> SUSPICIOUS =
      decision("mammo.triage.suspicious.v1", "exams for priority reading");
  public static final TopicSpec<TriageDecision> ROUTINE =
      decision("mammo.triage.routine.v1", "exams for routine reading");
  public static final TopicSpec<TriageDecision> LOW =
      decision("mammo.triage.low.v1", "exams below the low threshold");
  public static final TopicSpec<TriageDecision> INCOMPLETE =
      decision("mammo.triage.incomplete.v1", "exams with a breast that has no scorable view");
  public static final TopicSpec<TriageDecision> OUT_OF_DOMAIN =
      decision(
          "mammo.triage.out_of_domain.v1",
          "exams outside the model's validated domain: read by standard practice");
  public static final TopicSpec<TriageDecision> RISK_ELEVATED =
      decision("mammo.risk.elevated.v1", "5-year risk above the model's threshold");

  public static final List<TopicSpec<?>> ALL =
      List.of(
          IMAGES,
          INGEST_DLQ,
          SCORES,
          SUSPICIOUS,
          ROUTINE,
          LOW,
          INCOMPLETE,
          OUT_OF_DOMAIN,
          RISK_ELEVATED);

  /**
   * The optional plain-JSON mirrors of the decision topics ({@code streams.json.mirror.enabled}).
   */
  public static final List<JsonMirrorTopic> JSON_MIRRORS =
      List.of(
          mirror(SUSPICIOUS, "mammo.triage.suspicious.json.v1"),
          mirror(ROUTINE, "mammo.triage.routine.json.v1"),
          mirror(LOW, "mammo.triage.low.json.v1"),
          mirror(INCOMPLETE, "mammo.triage.incomplete.json.v1"),
          mirror(OUT_OF_DOMAIN, "mammo.triage.out_of_domain.json.v1"),
          mirror(RISK_ELEVATED, "mammo.risk.elevated.json.v1"));

  /** The JSON mirror of a decision topic. */
  public static Optional<JsonMirrorTopic> jsonMirrorOf(String sourceTopic) {
    return JSON_MIRRORS.stream().filter(m -> m.source().name().equals(sourceTopic)).findFirst();
  }

  private static JsonMirrorTopic mirror(TopicSpec<TriageDecision> source, String name) {
    return new JsonMirrorTopic(name, source, "plain-JSON copy of " + source.name());
  }

  public static Optional<TopicSpec<?>> byName(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private static TopicSpec<TriageDecision> decision(String name, String doc) {
    return new TopicSpec<>(
        name,
        TriageDecision.class,
        3,
        Map.of("retention.ms", Long.toString(90L * 24 * 3600 * 1000)),
        doc);
  }

  private Topics() {}
}
