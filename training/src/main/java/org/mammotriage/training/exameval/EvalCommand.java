package org.mammotriage.training.exameval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mammotriage.evaluation.exam.EvalCommandSummary;
import org.mammotriage.evaluation.exam.EvaluationReport;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.SelectedThresholds;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.training.heads.ExamModel;
import org.mammotriage.training.heads.ExamModelStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./run train eval --model DIR --manifest M}: exam-level evaluation report. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a trained exam model: exam/breast AUC with bootstrap CI, sensitivity/specificity"
            + " at thresholds chosen on the validation split, C-index, 1..5-year AUC (Mirai's"
            + " censoring rules), calibration, workload curve. Writes evaluation.json and"
            + " evaluation.html, and the chosen thresholds for export.")
public final class EvalCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(EvalCommand.class);

  @Option(names = "--model", required = true, description = "Trained model directory.")
  Path model;

  @Option(names = "--manifest", required = true, description = "Manifest with val and test splits.")
  Path manifest;

  @Option(names = "--out", description = "Report folder (default: MODEL/evaluation).")
  Path out;

  @Option(names = "--batch", defaultValue = "16", description = "Images per encoder batch.")
  int batch;

  @Option(
      names = "--suspicious-sensitivity",
      defaultValue = "0.90",
      description = "Target sensitivity for the suspicious threshold.")
  double suspiciousSensitivity;

  @Option(
      names = "--low-cancer-share",
      defaultValue = "0.99",
      description = "Share of validation cancers that must score at or above the low threshold.")
  double lowShare;

  @Option(
      names = "--risk-top-share",
      defaultValue = "0.10",
      description = "Share of exams flagged as elevated 5-year risk.")
  double riskTop;

  @Override
  public Integer call() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      ExamModel m = ExamModelStores.standard().load(model, manager);
      EvaluationResult r =
          ExamModelEvaluator.evaluate(
              m,
              manager,
              manifest,
              new ThresholdSelector(suspiciousSensitivity, lowShare, riskTop),
              batch,
              LOG::info);
      Path dir = out != null ? out : model.resolve("evaluation");
      EvaluationReport.write(r, m.name(), m.intendedUse(), dir);
      SelectedThresholds.of(r).write(model);
      System.out.println(EvalCommandSummary.line(r));
      System.out.println("report: " + dir.resolve(EvaluationReport.HTML_FILE));
      return 0;
    }
  }
}
