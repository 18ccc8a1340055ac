package org.mammotriage.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.serde.SerdeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mammotriage drift}: reads {@code mammo.scores.v1} from its beginning to its current end
 * (read_committed), keeps the latest version of each exam, and writes the drift report per source
 * against the model's validation reference ({@link DriftReport}).
 */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description =
        "Drift by source (calling AE, manufacturer/model) of the scores on mammo.scores.v1 against"
            + " the model's validation reference: drift.html (plots) and drift.json in --out.")
public final class DriftCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (kafka.bootstrap.servers).")
  String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description = "Schema registry (schema.registry.url); without one, single-object Avro.")
  String registry;

  @Option(
      names = "--model",
      required = true,
      description = "Model directory whose model.json has domain.reference (./run train domain).")
  Path model;

  @Option(names = "--out", required = true, description = "Report directory.")
  Path out;

  @Option(
      names = "--window",
      defaultValue = "0",
      description = "Only the last this many exams of each source (default: all).")
  int window;

  @Option(
      names = "--psi-threshold",
      defaultValue = "0.2",
      description = "PSI above which a source has drifted (default ${DEFAULT-VALUE}).")
  double threshold;

  @Option(
      names = "--min-exams",
      defaultValue = "30",
      description = "Sources with fewer exams are shown but not judged (default ${DEFAULT-VALUE}).")
  int minExams;

  @Override
  public Integer call() throws Exception {
    var def = CommonConfig.define();
    if (config.listRequested(def)) {
      return 0;
    }
    ModelManifest mm = ModelManifest.read(model.resolve(ModelManifest.FILE));
    DriftReport.reference(mm); // fails early with what to do
    Map<String, String> flags = new LinkedHashMap<>();
    if (bootstrap != null) {
      flags.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    }
    if (registry != null) {
      flags.put(CommonConfig.REGISTRY_URL, registry);
    }
    MammoConfig cfg = config.load(def, flags);
    List<ExamScore> exams = read(cfg);
    DriftReport r = new DriftReport(mm, exams, window, threshold, minExams);
    Path html = r.write(out);
    for (DriftReport.Source s : r.sources()) {
      System.out.printf(
          Locale.ROOT,
          "%-40s %5d exams  out of domain %5.1f%%  max PSI %6.3f  %s%n",
          s.name(),
          s.figures().exams(),
          100 * s.figures().oodRate(),
          s.figures().maxPsi(),
          !s.enough() ? "too few exams" : s.drifted() ? "DRIFTED" : "ok");
    }
    System.out.println("wrote " + html + " and " + out.resolve("drift.json"));
    return 0;
  }

  /** The latest version of each exam's score record, oldest first. */
  static List<ExamScore> read(MammoConfig cfg) {
    Properties props = new Properties();
    props.putAll(cfg.kafkaClientProps());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "mammotriage-drift-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Deserializer<ExamScore> des =
        SerdeFactory.fromConfig(cfg.registryProps()).serde(ExamScore.class, false).deserializer();
    Map<String, ExamScore> latest = new LinkedHashMap<>();
    try (KafkaConsumer<String, ExamScore> c =
        new KafkaConsumer<>(props, new StringDeserializer(), des)) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(Topics.SCORES.name(), Duration.ofSeconds(30))
          .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (ConsumerRecord<String, ExamScore> r : c.poll(Duration.ofMillis(500))) {
          ExamScore e = r.value();
          ExamScore prev = latest.get(e.getExamKey());
          if (prev == null || prev.getExamVersion() <= e.getExamVersion()) {
            latest.put(e.getExamKey(), e);
          }
        }
      }
    }
    List<ExamScore> out = new ArrayList<>(latest.values());
    out.sort(Comparator.comparing(ExamScore::getScoredAt));
    return out;
  }
}
