package org.mammotriage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.streams.ExamTriageTopology;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.StreamsMetrics;
import org.mammotriage.streams.TriageSettings;
import org.mammotriage.streams.TriageStreamsConfig;

/**
 * What the {@code exam-assembly-store} costs, today (the demo model in contract 1: working images
 * in the store) and with embeddings (the same weights in contract 2), on the same archive:
 *
 * <ul>
 *   <li>changelog bytes per released exam: every record the store wrote to its changelog while the
 *       archive was imported and every exam released (keys and values; nothing compacted yet), and
 *       the live state per exam (the newest record of each study: what a compacted changelog
 *       keeps);
 *   <li>restore after kill -9: under exactly-once an instance that died uncleanly wipes its store
 *       and restores it from the changelog, as a new instance with an empty state directory does. N
 *       released exams are loaded into the changelog (copies of the released states measured above,
 *       one study each) and a new instance is started; the time from start to RUNNING is measured
 *       against the same start with an empty store in the same run.
 * </ul>
 */
final class StateBench {
  private StateBench() {}

  /** Changelog figures of one contract. */
  record Changelog(
      int exams, long records, long bytes, long liveBytes, List<ExamAssemblyState> released) {}

  static void run(int patients, List<Integer> storeExams, int baselineExams) throws Exception {
    Path dir = Files.createTempDirectory("bench-state");
    Path[] models = BenchPipeline.demoModels(dir);
    System.out.println(
        "bench state: exam-assembly-store of the demo model in contract 1 (today) and contract 2"
            + " (embeddings), same weights and archive (synthetic studies at half the detector"
            + " size, 1520x912 working images)");
    List<Path> studies = BenchPipeline.studies(dir.resolve("archive"), patients, 11);
    try (BenchPipeline p = BenchPipeline.start(dir)) {
      p.importAll(studies, 0);
      Changelog[] c = new Changelog[2];
      for (int k = 0; k < 2; k++) {
        c[k] = changelog(p, dir, "bench-state-c" + (k + 1), models[k], studies.size());
        System.out.printf(
            Locale.ROOT,
            "  contract %d: %d exams released; changelog %d records, %.1f KB per exam written,"
                + " %.1f KB per exam live (newest record per study)%n",
            k + 1,
            c[k].exams(),
            c[k].records(),
            c[k].bytes() / 1024.0 / c[k].exams(),
            c[k].liveBytes() / 1024.0 / c[k].exams());
      }
      double perExam2 = c[1].bytes() / 1024.0 / c[1].exams();
      System.out.printf(
          Locale.ROOT,
          "  changelog per released exam: contract 2 / contract 1 = %.4f; goal <= 16 KB: %s (%.1f"
              + " KB)%n",
          (double) c[1].bytes() / c[1].exams() / ((double) c[0].bytes() / c[0].exams()),
          perExam2 <= 16 ? "met" : "NOT met",
          perExam2);
      BenchReport.current()
          .measure(
              "state",
              "changelog per released exam, contract 2",
              perExam2,
              "KB",
              "<= 16 KB",
              null,
              perExam2 <= 16 ? "met" : "NOT met")
          .measure(
              "state",
              "changelog per exam, contract 2 / contract 1",
              (double) c[1].bytes() / c[1].exams() / ((double) c[0].bytes() / c[0].exams()),
              "x",
              null,
              null,
              null);
      // the first Kafka Streams start of the JVM loads and compiles its classes: not counted
      restoreSeconds(p, dir, "bench-restore-warm-up", models[1], 0);
      double empty = restoreSeconds(p, dir, "bench-restore-empty", models[1], 0).restored();
      System.out.printf(
          Locale.ROOT,
          "  start to RUNNING with an empty store (baseline, same run): %.2f s%n",
          empty);
      restore(p, dir, 1, models[0], c[0].released(), baselineExams, empty);
      for (int n : storeExams) {
        restore(p, dir, 2, models[1], c[1].released(), n, empty);
      }
    }
  }

  private static void restore(
      BenchPipeline p,
      Path dir,
      int contract,
      Path model,
      List<ExamAssemblyState> templates,
      int n,
      double empty)
      throws Exception {
    String app = "bench-restore-c" + contract + "-" + n;
    long bytes = load(p, app, templates, n);
    Restore r = restoreSeconds(p, dir, app, model, Math.min(n, BenchPipeline.PARTITIONS));
    double secs = r.restored();
    System.out.printf(
        Locale.ROOT,
        "  restore after kill -9, contract %d, %,d exams in the store (%.1f MB of changelog):"
            + " restored (%,d records) in %.2f s from start, RUNNING at %.2f s; %.2f s over the"
            + " empty-store start%n",
        contract,
        n,
        bytes / 1e6,
        r.records(),
        secs,
        r.running(),
        secs - empty);
    System.out.printf(
        Locale.ROOT,
        "  the store's punctuation with %,d exams in it (contract %d): %.2f ms a round (all %d"
            + " tasks, once the stores are indexed) against %.1f ms to read and decode the whole"
            + " store, what every round did before the deadline index: %.0fx less%n",
        n,
        contract,
        r.punctuationMs(),
        BenchPipeline.PARTITIONS,
        r.fullReadMs(),
        r.fullReadMs() / r.punctuationMs());
    boolean goal = contract == 2 && n == 10_000;
    BenchReport.current()
        .measure(
            "state",
            String.format(Locale.ROOT, "restore after kill -9, contract %d, %d exams", contract, n),
            secs,
            "s",
            goal ? "<= 30 s" : null,
            null,
            goal ? (secs <= 30 ? "met" : "NOT met") : null);
    if (contract == 2 && n == 10_000) {
      System.out.printf(
          Locale.ROOT,
          "  goal restore of 10,000 exams <= 30 s: %s%n",
          secs <= 30 ? "met" : "NOT met");
    }
  }

  /** Runs the app over the imported archive until every exam is released; reads its changelog. */
  private static Changelog changelog(BenchPipeline p, Path dir, String app, Path model, int exams)
      throws Exception {
    try (StreamsApp a =
        new StreamsApp(
            p.streamsConfig(app, dir.resolve(app), 2_000), model, OpsServer.newRegistry())) {
      a.start();
      awaitReleases(p, a.scorer().activeModel().id(), exams);
    }
    Serde<ExamAssemblyState> serde =
        SerdeFactory.singleObject().serde(ExamAssemblyState.class, false);
    Map<String, byte[]> latest = new HashMap<>();
    long records = 0;
    long bytes = 0;
    try (KafkaConsumer<String, byte[]> c = consumer(p)) {
      String topic = changelogTopic(app);
      var parts =
          c.partitionsFor(topic).stream()
              .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          records++;
          bytes += r.serializedKeySize() + Math.max(0, r.serializedValueSize());
          latest.put(r.key(), r.value());
        }
      }
    }
    long live = 0;
    List<ExamAssemblyState> released = new ArrayList<>();
    for (var e : latest.entrySet()) {
      if (e.getValue() != null) {
        live += e.getKey().length() + e.getValue().length;
        released.add(serde.deserializer().deserialize("x", e.getValue()));
      }
    }
    return new Changelog(latest.size(), records, bytes, live, released);
  }

  private static void awaitReleases(BenchPipeline p, String modelId, int exams) {
    var studies = new java.util.HashSet<String>();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    // the decisions of this model: one per exam, partial exams after the 2 s quiet period
    while (studies.size() < exams && System.nanoTime() < deadline) {
      studies.clear();
      studies.addAll(p.decidedBy(modelId));
      if (studies.size() < exams) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      }
    }
    if (studies.size() < exams) {
      throw new IllegalStateException(studies.size() + " of " + exams + " exams released");
    }
  }

  /** Writes n released states (copies of the templates, one study each) into a changelog. */
  private static long load(BenchPipeline p, String app, List<ExamAssemblyState> templates, int n)
      throws Exception {
    String topic = changelogTopic(app);
    try (Admin admin = BenchPipeline.admin(p.bootstrap())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, BenchPipeline.PARTITIONS, (short) 1)
                      .configs(
                          Map.of(
                              "cleanup.policy",
                              "compact",
                              "max.message.bytes",
                              ExamTriageTopology.CHANGELOG_MAX_MESSAGE_BYTES))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Serde<ExamAssemblyState> serde =
        SerdeFactory.singleObject().serde(ExamAssemblyState.class, false);
    long bytes = 0;
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            p.bootstrap(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            32 * 1024 * 1024,
            ProducerConfig.LINGER_MS_CONFIG,
            20,
            ProducerConfig.BATCH_SIZE_CONFIG,
            1 << 20);
    try (KafkaProducer<String, byte[]> prod =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        ExamAssemblyState st =
            ExamAssemblyState.newBuilder(templates.get(i % templates.size())).build();
        String study = "1.2.826.0.1.3680043.10.1499." + app.hashCode() + "." + i;
        st.setStudyInstanceUid(study);
        byte[] v = serde.serializer().serialize(topic, st);
        bytes += study.length() + v.length;
        prod.send(new ProducerRecord<>(topic, study, v));
      }
      prod.flush();
    }
    return bytes;
  }

  /**
   * Seconds from start to the end of the store's restore, and to RUNNING; and, with exams in the
   * store, ms of one round of punctuations over all tasks (each task punctuates its own store) once
   * the stores are indexed, against one read of the whole store (what every round did before the
   * deadline index), -1 without exams.
   */
  record Restore(
      double restored, double running, long records, double punctuationMs, double fullReadMs) {}

  /**
   * A new instance of {@code app} with an empty state directory (what an exactly-once instance does
   * after kill -9: its store is wiped and restored from the changelog): seconds from start until
   * every changelog partition is restored, and until the instance is RUNNING.
   */
  private static Restore restoreSeconds(
      BenchPipeline p, Path dir, String app, Path model, int partitionsToRestore) throws Exception {
    // a 2 s quiet period: a punctuation every 500 ms (the loaded exams are released, none is due)
    MammoConfig cfg = p.streamsConfig(app, dir.resolve("restore-" + app), 2_000);
    var registry = OpsServer.newRegistry();
    Map<String, Long> ended = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicLong restored = new java.util.concurrent.atomic.AtomicLong();
    try (OnnxExamScorer scorer =
        OnnxExamScorer.fromConfig(model, new HashMap<String, Object>(cfg.values()))) {
      Properties props = new Properties();
      props.putAll(cfg.kafkaClientProps());
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
      props.put(StreamsConfig.STATE_DIR_CONFIG, cfg.getString(TriageStreamsConfig.STATE_DIR));
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      props.put(
          StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
          64 * 1024 * 1024);
      props.put(
          StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 64 * 1024 * 1024);
      props.put(
          StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 32 * 1024 * 1024);
      // only the restore is measured: the images already in the topic are not processed
      props.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
      try (KafkaStreams streams =
          new KafkaStreams(
              ExamTriageTopology.build(
                  TriageSettings.from(cfg),
                  scorer,
                  SerdeFactory.singleObject(),
                  new StreamsMetrics(registry)),
              props)) {
        streams.setGlobalStateRestoreListener(
            new StateRestoreListener() {
              @Override
              public void onRestoreStart(TopicPartition tp, String store, long from, long to) {}

              @Override
              public void onBatchRestored(TopicPartition tp, String store, long end, long n) {
                restored.addAndGet(n);
              }

              @Override
              public void onRestoreEnd(TopicPartition tp, String store, long total) {
                ended.put(tp.toString(), System.nanoTime());
              }
            });
        long t0 = System.nanoTime();
        streams.start();
        long deadline = t0 + Duration.ofMinutes(15).toNanos();
        long running = -1;
        while (System.nanoTime() < deadline
            && (running < 0 || ended.size() < partitionsToRestore)) {
          if (streams.state() == KafkaStreams.State.ERROR) {
            throw new IllegalStateException(app + " failed while restoring");
          }
          if (running < 0 && streams.state() == KafkaStreams.State.RUNNING) {
            running = System.nanoTime();
          }
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (ended.size() < partitionsToRestore) {
          throw new IllegalStateException(app + ": the store was not restored within 15 minutes");
        }
        long end = ended.values().stream().mapToLong(Long::longValue).max().orElse(running);
        double[] punct =
            partitionsToRestore == 0 ? new double[] {-1, -1} : punctuation(streams, registry);
        return new Restore(
            Math.max(end, running) / 1e9 - t0 / 1e9,
            (running - t0) / 1e9,
            restored.get(),
            punct[0],
            punct[1]);
      }
    }
  }

  /**
   * {ms of one round of punctuations (every task once) after the first round, which indexes the
   * stores; ms of one read of the whole store through interactive queries, every exam decoded}.
   */
  private static double[] punctuation(
      KafkaStreams streams, io.micrometer.core.instrument.MeterRegistry registry)
      throws InterruptedException {
    int tasks = BenchPipeline.PARTITIONS;
    var timer = registry.find(StreamsMetrics.PUNCTUATION).timer();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (timer.count() < tasks && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long c0 = timer.count();
    double s0 = timer.totalTime(TimeUnit.MILLISECONDS);
    while (timer.count() < c0 + 4L * tasks && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long rounds = (timer.count() - c0) / tasks;
    if (c0 < tasks || rounds < 1) {
      throw new IllegalStateException("the stream did not punctuate within 2 minutes");
    }
    double perRound =
        (timer.totalTime(TimeUnit.MILLISECONDS) - s0) / ((timer.count() - c0) / (double) tasks);
    // what a round did before: every exam of every task's store read and decoded
    var store =
        streams.store(
            org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                ExamTriageTopology.STORE,
                org.apache.kafka.streams.state.QueryableStoreTypes
                    .<String, ExamAssemblyState>keyValueStore()));
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      long slots = 0;
      try (var it = store.all()) {
        while (it.hasNext()) {
          slots += it.next().value.getSlots().size();
        }
      }
      if (slots < 0) {
        System.out.print("");
      }
      best = Math.min(best, (System.nanoTime() - t) / 1e6);
    }
    return new double[] {perRound, best};
  }

  static String changelogTopic(String app) {
    return app + "-" + ExamTriageTopology.STORE + "-changelog";
  }

  private static KafkaConsumer<String, byte[]> consumer(BenchPipeline p) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            p.bootstrap(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            64 * 1024 * 1024,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
            64 * 1024 * 1024),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
