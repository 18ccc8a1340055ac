package org.mammotriage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.TestModels;

/**
 * What the streams and state benchmarks share: an embedded broker with the project's topics (two
 * partitions each), ingest importing synthetic studies, the streams configuration, waiting for
 * decisions, and the model pair they compare (the bundled demo model in contract 1, as it was
 * exported, and in contract 2, the same weights).
 */
final class BenchPipeline implements AutoCloseable {
  static final int PARTITIONS = 2;
  final EmbeddedBroker broker;
  final IngestRuntime ingest;

  private BenchPipeline(EmbeddedBroker broker, IngestRuntime ingest) {
    this.broker = broker;
    this.ingest = ingest;
  }

  static BenchPipeline start(Path dir) throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.create(dir.resolve("kafka"), 0).start();
    try (Admin admin = admin(broker.bootstrapServers())) {
      TopicAdmin.ensureTopics(admin, (short) 1, PARTITIONS);
    }
    MammoConfig ingestCfg =
        ConfigLoader.load(
            IngestConfig.define(CommonConfig.define()),
            null,
            Map.of(),
            Map.of(
                CommonConfig.KAFKA_BOOTSTRAP,
                broker.bootstrapServers(),
                IngestConfig.DEMO,
                "true"));
    return new BenchPipeline(broker, new IngestRuntime(ingestCfg, OpsServer.newRegistry()));
  }

  String bootstrap() {
    return broker.bootstrapServers();
  }

  static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** The streams configuration of the benchmarks: one stream thread, batch 1. */
  MammoConfig streamsConfig(String applicationId, Path stateDir, long quietMs) {
    return streamsConfig(applicationId, stateDir, quietMs, Map.of());
  }

  /** As {@link #streamsConfig(String, Path, long)}, with these settings on top. */
  MammoConfig streamsConfig(
      String applicationId, Path stateDir, long quietMs, Map<String, String> settings) {
    Map<String, String> values =
        new HashMap<>(
            Map.of(
                CommonConfig.KAFKA_BOOTSTRAP,
                bootstrap(),
                TriageStreamsConfig.APPLICATION_ID,
                applicationId,
                TriageStreamsConfig.STATE_DIR,
                stateDir.toString(),
                TriageStreamsConfig.QUIET_PERIOD_MS,
                Long.toString(quietMs),
                ScoringConfig.BATCH_MAX,
                "1",
                ScoringConfig.MODEL_WATCH_INTERVAL_MS,
                "0"));
    values.putAll(settings);
    return ConfigLoader.load(
        ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())),
        null,
        Map.of(),
        values);
  }

  /** The demo model as exported in contract 1 and as it ships (contract 2), same weights. */
  static Path[] demoModels(Path dir) {
    Path v2 = Path.of("models", "demo-synthetic");
    if (!Files.isDirectory(v2)) {
      throw new IllegalStateException(
          "models/demo-synthetic not found: run the benchmark from the repository root");
    }
    return new Path[] {TestModels.demoSyntheticV1(dir.resolve("demo-contract-1")), v2};
  }

  /** The study folders of a synthetic archive at half the detector size. */
  static List<Path> studies(Path out, int patients, long seed) throws Exception {
    SyntheticArchive.of(SynthOptions.defaults(patients, seed).withScale(0.5)).generate(out);
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().equals("preview"))
          .sorted()
          .toList();
    }
  }

  /**
   * Imports study by study, one every {@code gapMs} at most; returns the wall-clock time (ms) at
   * which each study's last image was acknowledged.
   */
  Map<String, Long> importAll(List<Path> studies, long gapMs) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (Path study : studies) {
      long start = System.currentTimeMillis();
      String uid = null;
      try (Stream<Path> s = Files.list(study)) {
        for (Path f : s.sorted().toList()) {
          var o = ingest.pipeline().process(f, "BENCH", "INGEST_IMPORT");
          uid = o.studyInstanceUid();
        }
      }
      out.put(uid, System.currentTimeMillis());
      long wait = gapMs - (System.currentTimeMillis() - start);
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait * 1_000_000L);
      }
    }
    return out;
  }

  /**
   * Appends {@code copies} copies of every image now on mammo.images.v1, each copy under new study
   * and instance UIDs (the original's with {@code .<copy>} appended) and keyed by its new study: a
   * backlog several times longer for one stream instance, without importing the files again. The
   * records are otherwise the ones ingest wrote (same working images, same headers). Returns the
   * copies' study UIDs.
   */
  Set<String> replicateImages(int copies) throws java.io.IOException {
    return replicateImages(copies, org.mammotriage.schemas.images.ImageStore.NONE, "", null);
  }

  /**
   * The images topic's end offsets now, per partition: where records appended from now on start.
   */
  Map<org.apache.kafka.common.TopicPartition, Long> imagesEndOffsets() throws Exception {
    try (Admin admin = admin(bootstrap())) {
      var parts = admin.describeTopics(List.of(Topics.IMAGES.name())).allTopicNames().get();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q =
          new HashMap<>();
      parts
          .get(Topics.IMAGES.name())
          .partitions()
          .forEach(
              i ->
                  q.put(
                      new org.apache.kafka.common.TopicPartition(
                          Topics.IMAGES.name(), i.partition()),
                      org.apache.kafka.clients.admin.OffsetSpec.latest()));
      Map<org.apache.kafka.common.TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(q).all().get().forEach((tp, r) -> out.put(tp, r.offset()));
      return out;
    }
  }

  /**
   * Commits these images-topic offsets for a consumer group (a streams application id) that has not
   * started yet, so that the application begins there instead of at the topic's start.
   */
  void startGroupAt(String group, Map<org.apache.kafka.common.TopicPartition, Long> offsets)
      throws Exception {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
        m = new HashMap<>();
    offsets.forEach(
        (tp, o) -> m.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(o)));
    try (Admin admin = admin(bootstrap())) {
      admin.alterConsumerGroupOffsets(group, m).all().get();
    }
  }

  /**
   * As {@link #replicateImages(int)}, each copy's study and instance UIDs ending in {@code "." +
   * suffix + k}, and each copy's working image put in {@code store} (the record then carries its
   * reference, as ingest publishes it with {@code images.store.dir} set). Only the records before
   * {@code upTo} (null: the topic's end now) are copied.
   */
  Set<String> replicateImages(
      int copies,
      org.mammotriage.schemas.images.ImageStore store,
      String suffix,
      Map<org.apache.kafka.common.TopicPartition, Long> upTo)
      throws java.io.IOException {
    var serde = Topics.IMAGES.valueSerde(SerdeFactory.singleObject());
    var images = serde.deserializer();
    var out = serde.serializer();
    Map<String, Object> cp =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            Topics.IMAGE_MAX_MESSAGE_BYTES * 2);
    Map<String, Object> pp =
        Map.of(
            org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap(),
            org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG,
            "all",
            org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Topics.IMAGE_MAX_MESSAGE_BYTES);
    Set<String> studies = new java.util.LinkedHashSet<>();
    try (var c =
            new KafkaConsumer<>(
                cp,
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        var prod =
            new org.apache.kafka.clients.producer.KafkaProducer<>(
                pp,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      List<org.apache.kafka.common.TopicPartition> parts = new java.util.ArrayList<>();
      c.partitionsFor(Topics.IMAGES.name())
          .forEach(
              i ->
                  parts.add(
                      new org.apache.kafka.common.TopicPartition(
                          Topics.IMAGES.name(), i.partition())));
      c.assign(parts);
      // the imported images only: copies go after them
      var end = upTo != null ? upTo : c.endOffsets(parts);
      for (int k = 1; k <= copies; k++) {
        c.seekToBeginning(parts);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
            && System.nanoTime() < deadline) {
          for (var r : c.poll(Duration.ofMillis(200))) {
            if (r.offset()
                >= end.get(new org.apache.kafka.common.TopicPartition(r.topic(), r.partition()))) {
              continue; // a copy made in an earlier pass
            }
            MammogramImage img = images.deserialize(r.topic(), r.value());
            String study = img.getStudyInstanceUid() + "." + suffix + k;
            img.setStudyInstanceUid(study);
            img.setSopInstanceUid(img.getSopInstanceUid() + "." + suffix + k);
            img = store.checkIn(img);
            studies.add(study);
            prod.send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    Topics.IMAGES.name(), study, out.serialize(r.topic(), img)));
          }
        }
        prod.flush();
      }
    }
    return studies;
  }

  /**
   * Decision time (decidedAt, ms) of each study's first decision by the given model (null: any),
   * read_committed from every suspicion topic.
   */
  Map<String, Long> awaitDecisions(Set<String> studies, String modelId) {
    return awaitDecisions(studies, modelId, Long.MIN_VALUE);
  }

  /**
   * As {@link #awaitDecisions(Set, String)}, counting only decisions made at or after {@code
   * sinceMillis} (epoch ms): those of a stream started then, when earlier runs decided the same
   * studies on this broker.
   */
  Map<String, Long> awaitDecisions(Set<String> studies, String modelId, long sinceMillis) {
    Map<String, Object> p =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "bench-" + System.nanoTime(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    Map<String, Long> out = new HashMap<>();
    var de = SerdeFactory.singleObject().serde(TriageDecision.class, false).deserializer();
    try (var c = new KafkaConsumer<>(p, new StringDeserializer(), de)) {
      c.subscribe(
          List.of(
              Topics.SUSPICIOUS.name(),
              Topics.ROUTINE.name(),
              Topics.LOW.name(),
              Topics.INCOMPLETE.name(),
              Topics.OUT_OF_DOMAIN.name()));
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!out.keySet().containsAll(studies) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (studies.contains(r.key())
                      && (modelId == null || modelId.equals(r.value().getModelId()))
                      && r.value().getDecidedAt().toEpochMilli() >= sinceMillis) {
                    out.putIfAbsent(r.key(), r.value().getDecidedAt().toEpochMilli());
                  }
                });
      }
    }
    if (!out.keySet().containsAll(studies)) {
      throw new IllegalStateException(
          "only " + out.size() + " of " + studies.size() + " exams were decided within 10 minutes");
    }
    return out;
  }

  /**
   * Has the kernel write every dirty page to disk ({@code sync}) and returns the seconds it took.
   * Kafka leaves what it appends in the page cache, and the kernel writes it back about 30 s later
   * ({@code vm.dirty_expire_centisecs}): a block of working images appended just before a stream
   * run (0.6-0.8 GB dirty) was written back inside that run's counted window, on the cores the run
   * was measured on, where a broker on its own machine would not put it (the image store's files
   * are synced as they are written, so only the runs with images in Kafka paid it). Flushing after
   * each block's writes starts every measurement with nothing pending.
   */
  static double flushToDisk() {
    long t0 = System.nanoTime();
    try {
      Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
      if (!sync.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || sync.exitValue() != 0) {
        System.out.println(
            "  warning: sync did not finish cleanly: the kernel's writeback of what was just"
                + " written may land in the next measurement");
      }
    } catch (java.io.IOException e) {
      System.out.println(
          "  warning: could not run sync ("
              + e.getMessage()
              + "): the kernel's writeback of what was just written may land in the next"
              + " measurement");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The studies decided so far by the given model (every category topic, read_committed). */
  Set<String> decidedBy(String modelId) {
    Map<String, Object> p =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    Set<String> out = new java.util.HashSet<>();
    var de = SerdeFactory.singleObject().serde(TriageDecision.class, false).deserializer();
    try (var c = new KafkaConsumer<>(p, new StringDeserializer(), de)) {
      List<org.apache.kafka.common.TopicPartition> parts = new java.util.ArrayList<>();
      for (var t :
          List.of(
              Topics.SUSPICIOUS,
              Topics.ROUTINE,
              Topics.LOW,
              Topics.INCOMPLETE,
              Topics.OUT_OF_DOMAIN)) {
        c.partitionsFor(t.name())
            .forEach(
                i ->
                    parts.add(new org.apache.kafka.common.TopicPartition(t.name(), i.partition())));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      var end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100))
            .forEach(
                r -> {
                  if (modelId.equals(r.value().getModelId())) {
                    out.add(r.key());
                  }
                });
      }
    }
    return out;
  }

  /** The value at quantile q (0..1) of sorted values, nearest rank. */
  static long quantile(List<Long> sorted, double q) {
    int i = (int) Math.ceil(sorted.size() * q) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  @Override
  public void close() {
    ingest.close();
    broker.close();
  }

  /**
   * Deletes a folder and everything in it (a bench's temporary archive and broker logs: a few GB);
   * nothing when it does not exist; what cannot be deleted is said on stderr, not thrown.
   */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      System.err.println("  could not delete " + dir + ": " + e.getMessage());
    }
  }
}
