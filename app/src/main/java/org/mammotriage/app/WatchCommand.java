package org.mammotriage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.streams.Category;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mammotriage watch}: a live console view of triage decisions, for people who subscribe to
 * the topics.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description =
        "Show triage decisions as they arrive (study, accession, category, scores, risk, model, latency).")
public final class WatchCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  @Mixin ConfigOptions config;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (kafka.bootstrap.servers).")
  String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description =
          "Schema registry the producers use (schema.registry.url); without one, records are read"
              + " as Avro single-object encoding.")
  String registry;

  @Option(
      names = "--topic",
      defaultValue = "all",
      description =
          "suspicious, routine, low, incomplete, out_of_domain, risk, or all (default:"
              + " ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--json",
      description = "One JSON object per line instead of the table, for piping.")
  boolean json;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest retained decision instead of new ones only.")
  boolean fromBeginning;

  @Option(
      names = "--max",
      description = "Exit after this many decisions (default: run until Ctrl-C).")
  Long max;

  @Option(
      names = "--idle-exit",
      paramLabel = "SECONDS",
      description = "Exit after this many seconds without a new decision.")
  Long idleExit;

  PrintStream out = System.out;

  @Override
  public Integer call() {
    var def = CommonConfig.define();
    if (config.listRequested(def)) {
      return 0;
    }
    Map<String, String> flags = new java.util.LinkedHashMap<>();
    if (bootstrap != null) {
      flags.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    }
    if (registry != null) {
      flags.put(CommonConfig.REGISTRY_URL, registry);
    }
    MammoConfig cfg = config.load(def, flags);
    List<String> topics = topics(topic);
    Properties props = new Properties();
    props.putAll(cfg.kafkaClientProps());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "mammotriage-watch-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Deserializer<TriageDecision> des =
        SerdeFactory.fromConfig(cfg.registryProps())
            .serde(TriageDecision.class, false)
            .deserializer();
    AtomicBoolean stop = new AtomicBoolean();
    try (KafkaConsumer<String, TriageDecision> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), des)) {
      Thread main = Thread.currentThread();
      Thread hook =
          new Thread(
              () -> {
                stop.set(true);
                consumer.wakeup();
                try {
                  main.join(5000);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "watch-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      consumer.subscribe(topics);
      if (!json) {
        out.printf(
            "watching %s (read_committed). Model outputs from the synthetic demo model are not for clinical use.%n",
            topics);
        out.println(header());
      }
      long seen = 0;
      long lastNew = System.nanoTime();
      while (!stop.get()) {
        for (ConsumerRecord<String, TriageDecision> r : consumer.poll(Duration.ofMillis(250))) {
          out.println(json ? toJson(r) : row(r));
          lastNew = System.nanoTime();
          if (max != null && ++seen >= max) {
            return 0;
          }
        }
        if (idleExit != null
            && System.nanoTime() - lastNew > Duration.ofSeconds(idleExit).toNanos()) {
          return 0;
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting through the hook
      }
    } catch (WakeupException e) {
      // Ctrl-C
    }
    return 0;
  }

  static List<String> topics(String which) {
    return switch (which.toLowerCase(Locale.ROOT)) {
      case "all" ->
          Stream.concat(
                  Arrays.stream(Category.values()).map(c -> c.topic().name()),
                  Stream.of(Topics.RISK_ELEVATED.name()))
              .toList();
      case "risk" -> List.of(Topics.RISK_ELEVATED.name());
      default -> List.of(Category.fromLabel(which.toLowerCase(Locale.ROOT)).topic().name());
    };
  }

  static String header() {
    return String.format(
        "%-8s %-10s %-22s %-12s %-11s %6s %6s %6s %7s %9s  %s",
        "time",
        "topic",
        "study",
        "accession",
        "category",
        "score",
        "L",
        "R",
        "risk5y",
        "latency",
        "model");
  }

  static String row(ConsumerRecord<String, TriageDecision> r) {
    TriageDecision d = r.value();
    String risk5 = d.getRisk().size() >= 5 ? fmt(d.getRisk().get(4)) : "-";
    String study =
        d.getExamKey().length() > 22
            ? "…" + d.getExamKey().substring(d.getExamKey().length() - 21)
            : d.getExamKey();
    String shortTopic =
        r.topic().replace("mammo.triage.", "").replace("mammo.", "").replace(".v1", "");
    return String.format(
        "%-8s %-10s %-22s %-12s %-11s %6s %6s %6s %7s %7dms  %s%s",
        TIME.format(d.getDecidedAt()),
        shortTopic,
        study,
        d.getAccessionNumber() == null ? "-" : d.getAccessionNumber(),
        d.getCategory() + (d.getExamVersion() > 1 ? " v" + d.getExamVersion() : ""),
        fmt(d.getSuspicion()),
        fmt(d.getMalignancyLeft()),
        fmt(d.getMalignancyRight()),
        risk5,
        d.getLatencyFromLastImageMs(),
        d.getModelId(),
        d.getModelIntendedUse().toLowerCase(Locale.ROOT).contains("synthetic")
            ? " [synthetic demo model]"
            : "");
  }

  static String toJson(ConsumerRecord<String, TriageDecision> r) {
    TriageDecision d = r.value();
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("topic", r.topic())
        .put("examKey", d.getExamKey())
        .put("examVersion", d.getExamVersion())
        .put("accessionNumber", d.getAccessionNumber())
        .put("category", d.getCategory())
        .put("riskElevated", d.getRiskElevated())
        .put("suspicion", d.getSuspicion())
        .put("malignancyLeft", d.getMalignancyLeft())
        .put("malignancyRight", d.getMalignancyRight())
        .put("modelId", d.getModelId())
        .put("modelIntendedUse", d.getModelIntendedUse())
        .put("decidedAt", Instant.ofEpochMilli(d.getDecidedAt().toEpochMilli()).toString())
        .put("latencyFromLastImageMs", d.getLatencyFromLastImageMs());
    var risk = n.putArray("risk");
    d.getRisk().forEach(risk::add);
    var reasons = n.putArray("reasonCodes");
    d.getReasonCodes().forEach(reasons::add);
    return n.toString();
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}
