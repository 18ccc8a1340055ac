package org.mammotriage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.evaluation.exam.EvalCommandSummary;
import org.mammotriage.evaluation.exam.EvaluationReport;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.schemas.serde.SerdeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mammotriage replay}: what a model would have done on an archive. Pushes the archive over
 * DICOM through a running pipeline (or an embedded one), collects every decision, joins them with
 * the truth and writes the evaluation report.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Replay an archive through the pipeline (embedded, or a running one with --bootstrap and"
            + " --dicom) and evaluate the decisions against its truth: AUC with CI, sensitivity and"
            + " specificity per category, workload curve, C-index, 2/5-year AUC, latency, rejected"
            + " files. Writes replay.html and replay.json.")
public final class ReplayCommand implements Callable<Integer> {
  @Option(
      names = "--archive",
      required = true,
      description = "Archive folder (one folder per study, manifest.csv).")
  Path archive;

  @Option(names = "--truth", description = "Truth CSV (default ARCHIVE/truth.csv).")
  Path truth;

  @Option(names = "--out", required = true, description = "Report folder.")
  Path out;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka of a running pipeline (embedded when omitted).")
  String bootstrap;

  @Option(
      names = "--dicom",
      paramLabel = "HOST:PORT",
      description = "DICOM SCP of the running pipeline (with --bootstrap).")
  String dicom;

  @Option(
      names = "--model",
      defaultValue = "models/demo-synthetic",
      description = "Model of the embedded pipeline (default ${DEFAULT-VALUE}).")
  Path model;

  @Option(names = "--rate", defaultValue = "0", description = "Studies per second; 0 = full speed.")
  double rate;

  @Option(
      names = "--quiet-period-ms",
      defaultValue = "4000",
      description = "Embedded pipeline: wait before deciding an incomplete exam.")
  long quietMs;

  @Option(
      names = "--timeout-s",
      defaultValue = "900",
      description = "Give up waiting for decisions after this long.")
  long timeoutS;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description =
          "Schema registry of the pipeline (schema.registry.url): the running one's with"
              + " --bootstrap, or one for the embedded pipeline to use.")
  String registry;

  @Mixin ConfigOptions config;

  @Option(names = "--verbose", description = "Show the components' log lines.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (config.listRequested(CommonConfig.define())) {
      return 0;
    }
    if (!verbose) {
      DemoCommand.quietLogs();
    }
    Map<String, String> extra = new LinkedHashMap<>(config.set);
    if (registry != null) {
      extra.put(CommonConfig.REGISTRY_URL, registry);
    }
    Path truthFile = truth != null ? truth : archive.resolve("truth.csv");
    Map<String, ReplayEvaluation.Truth> t = ReplayEvaluation.readTruth(truthFile);
    long t0 = System.nanoTime();
    ArchiveRun.Result r;
    if (bootstrap != null) {
      if (dicom == null || !dicom.contains(":")) {
        System.err.println("--bootstrap needs --dicom HOST:PORT of the pipeline's DICOM SCP");
        return 2;
      }
      String host = dicom.substring(0, dicom.lastIndexOf(':'));
      int port = Integer.parseInt(dicom.substring(dicom.lastIndexOf(':') + 1));
      SerdeFactory serdes =
          SerdeFactory.fromConfig(config.load(CommonConfig.define(), extra).registryProps());
      r =
          ArchiveRun.run(
              archive,
              bootstrap,
              serdes,
              host,
              port,
              null,
              rate,
              Duration.ofSeconds(timeoutS),
              this::say);
    } else {
      Path work = Files.createTempDirectory("mammotriage-replay");
      try (DemoPipeline p = DemoPipeline.start(work, model, quietMs, extra)) {
        r =
            ArchiveRun.run(
                archive,
                p.bootstrap(),
                p.serdes(),
                "127.0.0.1",
                p.scpPort(),
                p.ingest().pipeline(),
                rate,
                Duration.ofSeconds(timeoutS),
                this::say);
      } finally {
        DemoCommand.deleteQuietly(work);
      }
    }
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("send", r.sendSeconds());
    timings.put("wait_for_decisions", r.waitSeconds());
    timings.put("total", (System.nanoTime() - t0) / 1e9);
    DemoReport run =
        new DemoReport(
            "Replay of " + archive.toAbsolutePath() + ". " + DemoCommand.NOTICE,
            r.expectedExams(),
            r.decisions(),
            r.rejected(),
            r.faults(),
            r.files(),
            ArchiveRun.timings(timings));
    List<ExamPrediction> preds = ReplayEvaluation.predictions(r.decisions(), t);
    EvaluationResult eval = ReplayEvaluation.evaluate(preds, truthFile.getFileName().toString());
    List<ExamPrediction> test = preds.stream().filter(p -> p.split().equals("test")).toList();
    if (test.isEmpty()) {
      test = preds;
    }
    Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("notice", run.summary.get("notice"));
    json.put("evaluation", eval);
    json.put("pipeline", run.summary);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("replay.json").toFile(), json);
    String modelId = String.valueOf(((Map<?, ?>) run.summary.get("model")).get("id"));
    HtmlReport h = EvaluationReport.html(eval, modelId, String.valueOf(run.summary.get("notice")));
    h.heading("What the stream decided (test exams, latest version)");
    h.table(
        List.of("category", "exams", "with cancer", "share of exams", "share of cancers"),
        ReplayEvaluation.categories(r.decisions(), test));
    h.heading("Latency");
    h.chart(run.latencyChart());
    h.heading("Pipeline");
    h.preformatted(run.table());
    h.write(out.resolve("replay.html"));
    System.out.print(run.table());
    System.out.println(EvalCommandSummary.line(eval));
    System.out.printf(Locale.ROOT, "report: %s%n", out.resolve("replay.html").toAbsolutePath());
    return r.complete() ? 0 : 1;
  }

  private void say(String line) {
    System.out.println("  " + line);
  }
}
