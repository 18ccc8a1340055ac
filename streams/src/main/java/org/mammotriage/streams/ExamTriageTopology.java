package org.mammotriage.streams;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.mammotriage.schemas.TopicSpec;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ExamScoringService;

/**
 * Builds the Kafka Streams topology (a pure function of its inputs): {@code mammo.images.v1} → exam
 * assembler (with the {@code exam-assembly-store}) → scores, the four triage topics and the risk
 * topic. Store, processor and sink names (here and in {@link Category}) are a compatibility
 * contract: renaming them needs an application reset.
 */
public final class ExamTriageTopology {
  public static final String SOURCE = "images-source";
  public static final String ASSEMBLER = "exam-assembler";
  public static final String STORE = "exam-assembly-store";
  public static final String SINK_SCORES = "scores-sink";
  public static final String SINK_RISK = "risk-elevated-sink";

  /**
   * The changelog must hold a study's four working images while a contract-1 model is active (with
   * a contract-2 model a state record holds encodings, a few KB).
   */
  public static final String CHANGELOG_MAX_MESSAGE_BYTES = String.valueOf(32 * 1024 * 1024);

  private ExamTriageTopology() {}

  /** The topology; after a hot model change images are read back from the images topic. */
  public static Topology build(
      TriageSettings settings,
      ExamScoringService scorer,
      SerdeFactory serdes,
      StreamsMetrics metrics) {
    return build(settings, scorer, serdes, metrics, KafkaImageArchive::new);
  }

  /**
   * The topology with the given source of images to read back after a model change (tests give one
   * that needs no broker).
   */
  public static Topology build(
      TriageSettings settings,
      ExamScoringService scorer,
      SerdeFactory serdes,
      StreamsMetrics metrics,
      ImageArchive.Factory archives) {
    return build(settings, scorer, serdes, metrics, archives, EncodeAhead.NONE);
  }

  /**
   * The topology whose assembler takes the encodings {@code ahead} made of arriving images (the
   * stream thread encodes those it finds none for).
   */
  public static Topology build(
      TriageSettings settings,
      ExamScoringService scorer,
      SerdeFactory serdes,
      StreamsMetrics metrics,
      ImageArchive.Factory archives,
      EncodeAhead ahead) {
    Topology t = new Topology();
    t.addSource(
        SOURCE,
        Serdes.String().deserializer(),
        Topics.IMAGES.valueSerde(serdes).deserializer(),
        Topics.IMAGES.name());
    t.addProcessor(
        ASSEMBLER,
        () ->
            new ExamAssembler(
                settings,
                scorer,
                metrics,
                archives,
                Topics.IMAGES.valueSerde(serdes).deserializer(),
                ahead),
        SOURCE);
    Serde<ExamAssemblyState> stateSerde = serdes.serde(ExamAssemblyState.class, false);
    StoreBuilder<KeyValueStore<String, ExamAssemblyState>> store =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), stateSerde)
            .withLoggingEnabled(
                Map.of(
                    "max.message.bytes", CHANGELOG_MAX_MESSAGE_BYTES, "cleanup.policy", "compact"));
    t.addStateStore(store, ASSEMBLER);
    sink(t, SINK_SCORES, Topics.SCORES, serdes);
    for (Category c : Category.values()) {
      sink(t, c.sinkName(), c.topic(), serdes);
    }
    sink(t, SINK_RISK, Topics.RISK_ELEVATED, serdes);
    return t;
  }

  /** As {@link #build}, plus the plain-JSON mirror of the decisions when asked for. */
  public static Topology build(
      TriageSettings settings,
      ExamScoringService scorer,
      SerdeFactory serdes,
      StreamsMetrics metrics,
      boolean jsonMirror) {
    return build(settings, scorer, serdes, metrics, jsonMirror, EncodeAhead.NONE);
  }

  /** As {@link #build}, with the plain-JSON mirror when asked for and images encoded ahead. */
  public static Topology build(
      TriageSettings settings,
      ExamScoringService scorer,
      SerdeFactory serdes,
      StreamsMetrics metrics,
      boolean jsonMirror,
      EncodeAhead ahead) {
    Topology t = build(settings, scorer, serdes, metrics, KafkaImageArchive::new, ahead);
    if (jsonMirror) {
      JsonDecisionMirror.addTo(t, serdes);
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private static <V extends org.apache.avro.specific.SpecificRecord> void sink(
      Topology t, String name, TopicSpec<V> topic, SerdeFactory serdes) {
    Serializer<Object> ser =
        (Serializer<Object>) (Serializer<?>) topic.valueSerde(serdes).serializer();
    t.addSink(name, topic.name(), Serdes.String().serializer(), ser, ASSEMBLER);
  }
}
