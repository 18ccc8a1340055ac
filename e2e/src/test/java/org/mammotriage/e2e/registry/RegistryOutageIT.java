package org.mammotriage.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.app.ArchiveRun;
import org.mammotriage.app.ArchiveSender;
import org.mammotriage.app.DemoPipeline;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.streams.DlqExceptionHandlers;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Await;
import org.slf4j.LoggerFactory;

/**
 * The pipeline through registry outages, with a real Apicurio Registry stopped and started again:
 * while it is down, a streams process that starts without the schemas in its cache cannot read
 * images and pauses (transient, nothing dead-lettered) until the registry is back, then decides
 * every exam once; an ingest process that starts while it is down answers every C-STORE with a
 * transient failure status (0xA700, the association goes on) and stores the images once the
 * registry is back and the sender sends them again.
 */
class RegistryOutageIT {
  static final Path MODEL = Decisions.ROOT.resolve("models/demo-synthetic");
  static final Duration DECIDED = Duration.ofMinutes(3);

  @Test
  void shouldLoseNothingDeadLetterNothingAndResumeByItselfWhenTheRegistryGoesAway(
      @TempDir Path work) throws Exception {
    Path set1 = archive(work, "set1", 21);
    Path set2 = archive(work, "set2", 22);
    Path set3 = archive(work, "set3", 23);
    ListAppender<ILoggingEvent> streamsLog = capture(DlqExceptionHandlers.class);
    List<AutoCloseable> open = new ArrayList<>();
    try (ApicurioRegistry reg = ApicurioRegistry.start(work.resolve("registry"));
        EmbeddedBroker broker = EmbeddedBroker.create(work.resolve("kafka"), 0).start()) {
      try {
        run(reg, broker, work, set1, set2, set3, streamsLog, open);
      } finally {
        for (int i = open.size() - 1; i >= 0; i--) {
          open.get(i).close();
        }
      }
    } finally {
      ((Logger) LoggerFactory.getLogger(DlqExceptionHandlers.class)).detachAppender(streamsLog);
    }
  }

  private static void run(
      ApicurioRegistry reg,
      EmbeddedBroker broker,
      Path work,
      Path set1,
      Path set2,
      Path set3,
      ListAppender<ILoggingEvent> streamsLog,
      List<AutoCloseable> open)
      throws Exception {
    {
      String bs = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
        TopicAdmin.ensureTopics(admin, (short) 1, 2);
      }
      Map<String, String> registry =
          Map.of(
              CommonConfig.REGISTRY_URL, reg.url(),
              CommonConfig.REGISTRY_RETRY_TIMEOUT, "1000",
              CommonConfig.REGISTRY_RETRY_BACKOFF_MAX, "500",
              CommonConfig.REGISTRY_TIMEOUT, "2000");
      MammoConfig ingestCfg = DemoPipeline.ingestConfig(bs, registry);
      Map<String, String> streamsExtra = new HashMap<>(registry);
      // a restarted or replaced stream thread rejoins without waiting 45 s for the old member
      streamsExtra.put("kafka.session.timeout.ms", "6000");
      streamsExtra.put("kafka.heartbeat.interval.ms", "1000");
      // the archive is tiny (scale 0.05), outside the demo model's validated image sizes: routed by
      // score (and marked), as this test is about the registry
      streamsExtra.put(TriageStreamsConfig.DOMAIN_ENFORCE, "false");
      MammoConfig streamsCfg =
          DemoPipeline.streamsConfig(bs, work.resolve("state"), 2000, streamsExtra);
      SchemaRegistryClient health =
          SerdeFactory.fromConfig(ingestCfg.registryProps()).registryClient().orElseThrow();
      SerdeFactory reader = SerdeFactory.fromConfig(ingestCfg.registryProps());

      // the registry up: ingest A and streams S1 decide set 1
      IngestRuntime ingestA = open(open, new IngestRuntime(ingestCfg, OpsServer.newRegistry()));
      DicomScp scpA = open(open, scp(ingestA, work.resolve("spool-a")));
      StreamsApp s1 = new StreamsApp(streamsCfg, MODEL, OpsServer.newRegistry());
      s1.start();
      assertThat(send(set1, scpA)).allMatch(s -> s.equals("Success"));
      awaitDecided(bs, reader, exams(set1));

      // the registry stops; streams restarts meanwhile (S2: nothing cached) and ingest A, which
      // knows its schema ids, stores set 2
      reg.stop();
      assertThat(health.health().up()).as("readiness sees the registry gone").isFalse();
      s1.close();
      SerdeFactory.Preflight deferred =
          SerdeFactory.fromConfig(streamsCfg.registryProps())
              .preflight(
                  Map.of(Topics.SCORES.name(), org.mammotriage.schemas.avro.ExamScore.class));
      assertThat(deferred.deferred()).as("start-up checks deferred, not fatal").isTrue();
      StreamsApp s2 = open(open, new StreamsApp(streamsCfg, MODEL, OpsServer.newRegistry()));
      s2.start();
      assertThat(send(set2, scpA)).allMatch(s -> s.equals("Success"));
      Await.until(
          Duration.ofSeconds(60),
          () -> logged(streamsLog, "transient failure"),
          () -> "streams to report the unreachable registry as a transient failure");
      assertThat(decidedExams(bs, reader)).doesNotContainAnyElementsOf(exams(set2));

      // the registry is back: streams resumes by itself
      reg.restart();
      assertThat(health.health().up()).isTrue();
      awaitDecided(bs, reader, union(exams(set1), exams(set2)));

      // the registry stops again and a fresh ingest B starts: senders get a transient status
      reg.stop();
      MammoConfig ingestCfgB = DemoPipeline.ingestConfig(bs, registry);
      assertThat(
              SerdeFactory.fromConfig(ingestCfgB.registryProps())
                  .preflight(
                      Map.of(
                          Topics.IMAGES.name(),
                          MammogramImage.class,
                          Topics.INGEST_DLQ.name(),
                          RejectedInstance.class))
                  .deferred())
          .isTrue();
      IngestRuntime ingestB = open(open, new IngestRuntime(ingestCfgB, OpsServer.newRegistry()));
      DicomScp scpB = open(open, scp(ingestB, work.resolve("spool-b")));
      List<String> refused = send(set3, scpB);
      assertThat(refused)
          .as("every file answered (no abort), with a transient refusal (0xA700)")
          .isNotEmpty()
          .allMatch(s -> s.contains("Refused") && s.contains("OutOfResources"), "0xA700");

      // the registry is back; the sender sends again
      reg.restart();
      assertThat(send(set3, scpB)).allMatch(s -> s.equals("Success"));
      Set<String> all = union(union(exams(set1), exams(set2)), exams(set3));
      awaitDecided(bs, reader, all);

      List<Decisions.Raw> decisions = Decisions.readAll(bs, reader);
      Set<String> once = new HashSet<>();
      for (Decisions.Raw d : decisions) {
        if (!d.seen().topic().equals(Topics.RISK_ELEVATED.name())) {
          assertThat(once.add(d.seen().examKey() + " v" + d.seen().examVersion()))
              .as("decided once: %s", d.seen())
              .isTrue();
        }
      }
      assertThat(decisions.stream().map(d -> d.seen().examKey())).containsAll(all);
      assertThat(countToEnd(bs, Topics.INGEST_DLQ.name())).as("nothing dead-lettered").isZero();
      assertThat(countToEnd(bs, Topics.IMAGES.name()))
          .as("each image stored once")
          .isEqualTo(files(set1) + files(set2) + files(set3));
    }
  }

  private static Path archive(Path work, String name, long seed) throws Exception {
    Path a = work.resolve(name);
    SyntheticArchive.of(SynthOptions.defaults(1, seed).withScale(0.05)).generate(a);
    return a;
  }

  private static DicomScp scp(IngestRuntime rt, Path spool) throws Exception {
    return new DicomScp(
        0,
        "MAMMOTRIAGE",
        Set.of(),
        rt.pipeline(),
        Files.createDirectories(spool),
        rt.limits().maxBytes(),
        4);
  }

  private static <T extends AutoCloseable> T open(List<AutoCloseable> open, T t) {
    open.add(t);
    return t;
  }

  /** Sends the archive over DICOM; the C-STORE status of each file. */
  private static List<String> send(Path archive, DicomScp scp) throws Exception {
    return new ArchiveSender("127.0.0.1", scp.port(), null, l -> {})
        .send(archive, 0).stream().map(ArchiveSender.FileResult::status).toList();
  }

  private static Set<String> exams(Path archive) throws Exception {
    return ArchiveRun.expectedExams(archive);
  }

  private static long files(Path archive) throws Exception {
    try (var s = Files.walk(archive)) {
      return s.filter(p -> p.toString().endsWith(".dcm")).count();
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  private static Set<String> decidedExams(String bs, SerdeFactory reader) {
    Set<String> s = new HashSet<>();
    Decisions.readAll(bs, reader).forEach(d -> s.add(d.seen().examKey()));
    return s;
  }

  private static void awaitDecided(String bs, SerdeFactory reader, Set<String> exams) {
    Await.until(
        DECIDED,
        () -> decidedExams(bs, reader).containsAll(exams),
        () -> "exams " + exams + " decided; have " + decidedExams(bs, reader));
  }

  /** Records in a topic, read to its end (read_committed), without decoding them. */
  private static int countToEnd(String bs, String topic) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES);
    int n = 0;
    try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())
          && System.nanoTime() < deadline) {
        n += c.poll(Duration.ofMillis(200)).count();
      }
    }
    return n;
  }

  private static ListAppender<ILoggingEvent> capture(Class<?> logger) {
    ListAppender<ILoggingEvent> a = new ListAppender<>();
    a.start();
    ((Logger) LoggerFactory.getLogger(logger)).addAppender(a);
    return a;
  }

  private static boolean logged(ListAppender<ILoggingEvent> a, String text) {
    synchronized (a.list) {
      return a.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }
  }
}
