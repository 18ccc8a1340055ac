package org.mammotriage.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mammotriage demo}: the whole system on one machine — broker, DICOM SCP, streams with the
 * bundled synthetic demo model — fed a synthetic archive with faults by a real DICOM sender.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "End-to-end demo: in-process Kafka, the ingest SCP and the streams app with the bundled"
            + " SYNTHETIC demo model (not for clinical use); a synthetic archive with faults is sent"
            + " over DICOM C-STORE (storescu, one association per study); prints a summary and"
            + " writes report.html and summary.json.")
public final class DemoCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
  static final String NOTICE =
      "SYNTHETIC DEMO: the model was trained on synthetic phantoms and the exams are synthetic."
          + " NOT for clinical use.";

  @Option(
      names = "--model",
      defaultValue = "models/demo-synthetic",
      description = "Model directory (default ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = "--out",
      defaultValue = "target/demo",
      description = "Report folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--patients",
      defaultValue = "30",
      description = "Synthetic patients; about two exams each (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(names = "--seed", defaultValue = "2026", description = "Seed of the synthetic archive.")
  long seed;

  @Option(
      names = "--scale",
      defaultValue = "0.25",
      description = "Synthetic detector size relative to a real one.")
  double scale;

  @Option(
      names = "--quiet-period-ms",
      defaultValue = "4000",
      description = "Wait after an exam's last image before deciding an incomplete exam.")
  long quietMs;

  @Option(
      names = "--timeout-s",
      defaultValue = "300",
      description = "Give up waiting for decisions after this long.")
  long timeoutS;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description =
          "Run the pipeline against this Confluent-API schema registry (schema.registry.url),"
              + " e.g. http://localhost:8080/apis/ccompat/v7 for Apicurio.")
  String registry;

  @Option(names = "--verbose", description = "Show the components' log lines (hidden by default).")
  boolean verbose;

  /** Keeps the console to the demo's own lines: components log only warnings. */
  static void quietLogs() {
    level("org.mammotriage", ch.qos.logback.classic.Level.WARN);
    // Kafka's start-up advice and PixelMed's per-association notes and stack traces for files we
    // reject anyway (each rejection is reported with its reason) would bury the demo's own lines
    level("org.apache.kafka", ch.qos.logback.classic.Level.ERROR);
    level("kafka", ch.qos.logback.classic.Level.ERROR);
    level("com.pixelmed", ch.qos.logback.classic.Level.OFF);
  }

  private static void level(String name, ch.qos.logback.classic.Level level) {
    if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(level);
    }
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    if (!verbose) {
      quietLogs();
    }
    if (!Files.isRegularFile(model.resolve("model.json"))) {
      System.err.println(
          "No model directory at "
              + model.toAbsolutePath()
              + ". The demo model ships in the repository under models/demo-synthetic; run from the"
              + " repository root, pass --model DIR, or rebuild it with './run train demo-model'.");
      return 2;
    }
    try (var loaded = ModelDirectory.load(model, "cpu", false, 1)) {
      System.out.println("model: " + loaded.info().id());
      System.out.println("  " + loaded.info().intendedUse());
    } catch (Exception e) {
      System.err.println(
          "The model directory "
              + model
              + " does not load: "
              + e.getMessage()
              + ". Restore it from git (git checkout -- "
              + model
              + ") or rebuild it with './run train demo-model'.");
      return 2;
    }
    System.out.println(NOTICE);
    Path work = Files.createTempDirectory("mammotriage-demo");
    Map<String, Double> t = new LinkedHashMap<>();
    Path archive = work.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(patients, seed).withScale(scale).withFaults(true))
        .onProgress(LOG::debug)
        .generate(archive);
    t.put("synthetic_archive", (System.nanoTime() - t0) / 1e9);
    long t1 = System.nanoTime();
    ArchiveRun.Result r;
    Map<String, String> extra =
        registry == null ? Map.of() : Map.of(CommonConfig.REGISTRY_URL, registry);
    try (DemoPipeline p = DemoPipeline.start(work, model, quietMs, extra)) {
      t.put("start_pipeline", (System.nanoTime() - t1) / 1e9);
      System.out.printf(
          Locale.ROOT,
          "pipeline up: Kafka %s, DICOM SCP %s on port %d; sending %d studies%n",
          p.bootstrap(),
          DemoPipeline.AE_TITLE,
          p.scpPort(),
          ArchiveSender.studies(archive).size());
      r =
          ArchiveRun.run(
              archive,
              p.bootstrap(),
              p.serdes(),
              "127.0.0.1",
              p.scpPort(),
              p.ingest().pipeline(),
              0,
              Duration.ofSeconds(timeoutS),
              line -> System.out.println("  " + line));
      t.put("send", r.sendSeconds());
      t.put("wait_for_decisions", r.waitSeconds());
    }
    t.put("total", (System.nanoTime() - t0) / 1e9);
    DemoReport report =
        new DemoReport(
            NOTICE,
            r.expectedExams(),
            r.decisions(),
            r.rejected(),
            r.faults(),
            r.files(),
            ArchiveRun.timings(t));
    report.write(out, "MammoTriage demo run (synthetic)");
    System.out.print(report.table());
    System.out.printf(
        Locale.ROOT,
        "%nreport: %s%nsummary: %s%ntotal %.1f s%n%s%n",
        out.resolve("report.html").toAbsolutePath(),
        out.resolve("summary.json").toAbsolutePath(),
        t.get("total"),
        NOTICE);
    deleteQuietly(work);
    return r.complete() ? 0 : 1;
  }

  static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      LOG.debug("could not remove {}: {}", dir, e.toString());
    }
  }
}
