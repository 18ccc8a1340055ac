package org.mammotriage.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.testing.KafkaTestCluster;

/** Shared helpers of the streams integration tests. */
final class StreamsItSupport {
  static final SerdeFactory SERDES = SerdeFactory.singleObject();
  static final List<String> DECISION_TOPICS =
      List.of(
          Topics.SUSPICIOUS.name(),
          Topics.ROUTINE.name(),
          Topics.LOW.name(),
          Topics.INCOMPLETE.name());

  private StreamsItSupport() {}

  static MammoConfig config(String bootstrap, Path stateDir, Map<String, String> extra) {
    Map<String, String> f =
        new HashMap<>(
            Map.of(
                CommonConfig.KAFKA_BOOTSTRAP,
                bootstrap,
                TriageStreamsConfig.STATE_DIR,
                stateDir.toString(),
                TriageStreamsConfig.QUIET_PERIOD_MS,
                "3000",
                ScoringConfig.DEVICE,
                "cpu",
                ScoringConfig.BATCH_MAX,
                "1",
                "kafka.session.timeout.ms",
                "6000",
                "kafka.heartbeat.interval.ms",
                "1000",
                "kafka.commit.interval.ms",
                "200"));
    f.putAll(extra);
    return ConfigLoader.load(
        ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())), null, Map.of(), f);
  }

  /** n exams of four views each, small grey PNGs, produced directly to mammo.images.v1. */
  static void produceExams(String bootstrap, String prefix, int n) throws Exception {
    produceViews(bootstrap, prefix, n, List.of("L_CC", "L_MLO", "R_CC", "R_MLO"));
  }

  /**
   * The given views (e.g. {@code R_MLO}) of n exams, small grey PNGs (exam e is grey (e * 37) %
   * 256), produced directly to mammo.images.v1; a view's acquisition order is its place among the
   * four.
   */
  static void produceViews(String bootstrap, String prefix, int n, List<String> views)
      throws Exception {
    // a plain acks=all producer, one request in flight: an idempotent bulk producer got stuck
    // retrying a batch the
    // broker refused as OUT_OF_ORDER_SEQUENCE_NUMBER on a loaded machine; a re-sent image is
    // harmless here (the
    // assembler ignores a SOP instance it has seen)
    Map<String, Object> p =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            false,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            1,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Topics.IMAGE_MAX_MESSAGE_BYTES);
    List<String> all = List.of("L_CC", "L_MLO", "R_CC", "R_MLO");
    try (KafkaProducer<String, MammogramImage> prod =
        new KafkaProducer<>(
            p, new StringSerializer(), Topics.IMAGES.valueSerde(SERDES).serializer())) {
      for (int e = 0; e < n; e++) {
        String study = prefix + "." + e;
        int gray = (e * 37) % 256;
        for (String s : views) {
          int k = all.indexOf(s) + 1;
          MammogramImage img =
              ExamTriageTopologyTest.image(
                  study,
                  study + "." + s,
                  s.substring(0, 1),
                  s.substring(2),
                  gray,
                  1000 + k,
                  k,
                  List.of());
          prod.send(new ProducerRecord<>(Topics.IMAGES.name(), study, img));
        }
      }
      prod.flush();
    }
  }

  /**
   * How many records of mammo.images.v1 the streams application has committed as processed (its
   * consumer group's offsets, summed over partitions).
   */
  static long imagesProcessed(KafkaTestCluster kafka, String applicationId) {
    try (var admin = kafka.admin()) {
      return admin
          .listConsumerGroupOffsets(applicationId)
          .partitionsToOffsetAndMetadata()
          .get()
          .entrySet()
          .stream()
          .filter(e -> e.getKey().topic().equals(Topics.IMAGES.name()) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    } catch (Exception e) {
      return -1;
    }
  }

  static List<ExamScore> scores(KafkaTestCluster kafka) {
    var de = Topics.SCORES.valueSerde(SERDES).deserializer();
    return kafka
        .consumeAll(Topics.SCORES.name(), new ByteArrayDeserializer(), Duration.ofSeconds(2))
        .stream()
        .map(r -> de.deserialize("t", r.value()))
        .toList();
  }

  static long scoreCount(KafkaTestCluster kafka) {
    return kafka
        .consumeAll(Topics.SCORES.name(), new ByteArrayDeserializer(), Duration.ofMillis(800))
        .size();
  }

  /** Decisions per topic (read_committed). */
  static Map<String, List<TriageDecision>> decisions(KafkaTestCluster kafka) {
    var de = SERDES.serde(TriageDecision.class, false).deserializer();
    Map<String, List<TriageDecision>> out = new HashMap<>();
    for (String t :
        new ArrayList<>(
            List.of(
                Topics.SUSPICIOUS.name(),
                Topics.ROUTINE.name(),
                Topics.LOW.name(),
                Topics.INCOMPLETE.name(),
                Topics.RISK_ELEVATED.name()))) {
      List<ConsumerRecord<String, byte[]>> recs =
          kafka.consumeAll(t, new ByteArrayDeserializer(), Duration.ofSeconds(1));
      out.put(t, recs.stream().map(r -> de.deserialize("t", r.value())).toList());
    }
    return out;
  }

  static Instant now() {
    return Instant.now();
  }
}
