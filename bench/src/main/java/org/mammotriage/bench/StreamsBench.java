package org.mammotriage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.TestModels;

/**
 * End to end on one machine: synthetic studies imported through ingest (decode, preprocess,
 * publish) into an embedded broker, assembled, scored and routed by the streams app. Sustained
 * exams/s at full speed, then latency from an exam's last image acknowledged by ingest to its
 * decision at half that rate, next to the scorer alone on the same model.
 */
final class StreamsBench {
  private StreamsBench() {}

  static void run(int patients) throws Exception {
    double rate;
    Path dir = Files.createTempDirectory("bench-streams");
    Path model =
        TestModels.write(dir.resolve("model"), TestModels.Kind.CONV, "bench-conv", "1", 320, 192);
    System.out.println(
        "bench streams: reference conv model built in code at 320x192 (3 strided convolutions);"
            + " synthetic studies at half the detector size");
    try (EmbeddedBroker broker = EmbeddedBroker.create(dir.resolve("kafka"), 0).start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        TopicAdmin.ensureTopics(admin, (short) 1, 2);
      }
      String bs = broker.bootstrapServers();
      MammoConfig ingestCfg =
          ConfigLoader.load(
              IngestConfig.define(CommonConfig.define()),
              null,
              Map.of(),
              Map.of(CommonConfig.KAFKA_BOOTSTRAP, bs, IngestConfig.DEMO, "true"));
      MammoConfig streamsCfg =
          ConfigLoader.load(
              ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())),
              null,
              Map.of(),
              Map.of(
                  CommonConfig.KAFKA_BOOTSTRAP,
                  bs,
                  TriageStreamsConfig.STATE_DIR,
                  dir.resolve("state").toString(),
                  TriageStreamsConfig.QUIET_PERIOD_MS,
                  "600000",
                  ScoringConfig.BATCH_MAX,
                  "1",
                  "kafka.commit.interval.ms",
                  "100"));
      try (IngestRuntime ingest = new IngestRuntime(ingestCfg, OpsServer.newRegistry());
          StreamsApp app = new StreamsApp(streamsCfg, model, OpsServer.newRegistry())) {
        app.start();
        List<Path> full = studies(dir.resolve("a"), patients, 11);
        long t0 = System.currentTimeMillis();
        Map<String, Long> done = importAll(ingest, full, 0);
        Map<String, Long> decided = awaitDecisions(bs, done.keySet());
        double secs = (maxOf(decided) - t0) / 1000.0;
        rate = full.size() / secs;
        System.out.printf(
            Locale.ROOT,
            "  full speed: %d exams (%d images) imported and decided in %.1f s: %.2f exams/s end to end%n",
            full.size(),
            4 * full.size(),
            secs,
            rate);
        List<Path> half = studies(dir.resolve("b"), patients, 12);
        long gapMs = (long) (2000 / rate);
        Map<String, Long> lastImage = importAll(ingest, half, gapMs);
        Map<String, Long> dec2 = awaitDecisions(bs, lastImage.keySet());
        List<Long> lat = new ArrayList<>();
        lastImage.forEach((s, t) -> lat.add(dec2.get(s) - t));
        lat.sort(Long::compare);
        System.out.printf(
            Locale.ROOT,
            "  at half that rate (one exam every %d ms): last image to decision p50 %d ms, p99 %d ms%n",
            gapMs,
            lat.get(lat.size() / 2),
            lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1)));
      }
      double scorer = ScoringBench.scorerRate(model, ScoringBench.workingImages(24), 1);
      System.out.printf(
          Locale.ROOT,
          "  scorer alone (PNG decode + resize + ONNX run) on 1520x912 working images, batch 1: %.2f exams/s;"
              + " end to end / scorer = %.2f%n",
          scorer,
          rate / scorer);
    }
  }

  private static List<Path> studies(Path out, int patients, long seed) throws Exception {
    SyntheticArchive.of(SynthOptions.defaults(patients, seed).withScale(0.5)).generate(out);
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().equals("preview"))
          .sorted()
          .toList();
    }
  }

  /**
   * Imports study by study; returns the wall-clock time (ms) at which each study's last image was
   * acknowledged.
   */
  private static Map<String, Long> importAll(IngestRuntime ingest, List<Path> studies, long gapMs)
      throws Exception {
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

  /** Decision time (decidedAt, ms) per study, read_committed from every suspicion topic. */
  private static Map<String, Long> awaitDecisions(String bs, java.util.Set<String> studies) {
    Map<String, Object> p =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bs,
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
              Topics.INCOMPLETE.name()));
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!out.keySet().containsAll(studies) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (studies.contains(r.key())) {
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

  private static long maxOf(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).max().orElseThrow();
  }
}
