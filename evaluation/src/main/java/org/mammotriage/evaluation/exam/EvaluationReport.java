package org.mammotriage.evaluation.exam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.evaluation.calibration.CalibrationMetrics;
import org.mammotriage.evaluation.calibration.ReliabilityDiagram;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.evaluation.survival.CalibrationCurve;
import org.mammotriage.evaluation.survival.KYearAuc;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.WorkloadCurve;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;

/** Writes an {@link EvaluationResult} as {@code evaluation.json} and {@code evaluation.html}. */
public final class EvaluationReport {
  public static final String JSON_FILE = "evaluation.json";
  public static final String HTML_FILE = "evaluation.html";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluationReport() {}

  /** Writes both files into {@code dir}; {@code notice} is shown on top (e.g. synthetic data). */
  public static void write(EvaluationResult r, String modelName, String notice, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", modelName);
    json.put("notice", notice);
    json.put("result", r);
    JSON.writeValue(dir.resolve(JSON_FILE).toFile(), json);
    html(r, modelName, notice).write(dir.resolve(HTML_FILE));
  }

  /** The metrics {@code model.json} carries (a compact summary of the evaluation). */
  public static Map<String, Object> summary(EvaluationResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("evaluation_set", r.evaluationSet());
    m.put("exams", r.exams());
    m.put("cancer_exams", r.cancerExams());
    m.put("exam_auc", interval(r.examAuc()));
    m.put("breast_auc", interval(r.breastAuc()));
    m.put("sensitivity_at_suspicious", r.atSuspicious().sensitivity());
    m.put("specificity_at_suspicious", r.atSuspicious().specificity());
    m.put("sensitivity_at_low", r.atLow().sensitivity());
    m.put("c_index", r.cIndex().cIndex());
    m.put("c_index_ci95", List.of(r.cIndexCi().lower(), r.cIndexCi().upper()));
    m.put("auc_2y", r.aucAt(2).auc());
    m.put("auc_2y_ci95", List.of(r.aucCiAt(2).lower(), r.aucCiAt(2).upper()));
    m.put("auc_5y", r.aucAt(5).auc());
    m.put("auc_5y_ci95", List.of(r.aucCiAt(5).lower(), r.aucCiAt(5).upper()));
    m.put("malignancy_ece", r.malignancyCalibration().expectedCalibrationError());
    calibration(m, "malignancy", r.examMalignancyCalibration());
    calibration(m, "breast_malignancy", r.breastMalignancyCalibration());
    m.put("calibration_binning", CalibrationMetrics.BINNING);
    return m;
  }

  /**
   * {@code PREFIX_ece_ci95}, {@code PREFIX_brier}, {@code PREFIX_brier_ci95} (+ ece per breast).
   */
  private static void calibration(
      Map<String, Object> m, String prefix, CalibrationMetrics.Measured c) {
    if (c == null) {
      return;
    }
    m.put(prefix + "_ece", c.ece().estimate());
    m.put(prefix + "_ece_ci95", List.of(c.ece().lower(), c.ece().upper()));
    m.put(prefix + "_ece_plugin", c.ecePlugIn());
    m.put(prefix + "_brier", c.brier().estimate());
    m.put(prefix + "_brier_ci95", List.of(c.brier().lower(), c.brier().upper()));
  }

  private static Map<String, Object> interval(
      org.mammotriage.evaluation.metrics.BootstrapCi.Interval i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("estimate", i.estimate());
    m.put("ci95", List.of(i.lower(), i.upper()));
    m.put("resampled", i.resampled());
    m.put("resamples", i.resamples());
    m.put("undefined_resamples", i.undefined());
    return m;
  }

  public static HtmlReport html(EvaluationResult r, String modelName, String notice) {
    HtmlReport h = new HtmlReport("Exam model evaluation: " + modelName);
    if (notice != null && !notice.isBlank()) {
      h.notice(notice);
    }
    h.heading("Data");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("evaluated on", r.evaluationSet());
    data.put("exams (with cancer)", r.exams() + " (" + r.cancerExams() + ")");
    data.put("thresholds chosen on", r.validationSet());
    data.put(
        "validation exams (with cancer)",
        r.validationExams() + " (" + r.validationCancerExams() + ")");
    h.keyValues(data);
    h.heading("Malignancy");
    h.table(
        List.of("level", "AUC", "95% CI low", "95% CI high"),
        List.of(
            List.of(
                "exam (max over breasts)",
                f(r.examAuc().estimate()),
                f(r.examAuc().lower()),
                f(r.examAuc().upper())),
            List.of(
                "breast",
                f(r.breastAuc().estimate()),
                f(r.breastAuc().lower()),
                f(r.breastAuc().upper()))));
    h.paragraph(
        "95% CIs: percentile bootstrap, "
            + r.examAuc().resamples()
            + " resamples of whole "
            + r.examAuc().resampled()
            + "s (a woman's exams and the two breasts of an exam are not independent).");
    h.paragraph("Thresholds: " + r.thresholds().provenance());
    h.table(
        List.of("threshold", "value", "sensitivity", "specificity", "TP", "FN", "TN", "FP"),
        List.of(row("suspicious", r.atSuspicious()), row("low", r.atLow())));
    h.heading("Malignancy calibration");
    h.paragraph(
        "Reliability diagram of the malignancy probabilities as the model outputs them (calibrated"
            + " when model.json has a calibration section): per breast (each breast's probability"
            + " against a cancer in that breast) and per exam (the larger breast probability"
            + " against a cancer in either). "
            + CalibrationMetrics.BINNING
            + "; Brier = mean squared error of the probability; 95% CIs by patient-level"
            + " bootstrap ("
            + (r.examMalignancyCalibration() == null
                ? 0
                : r.examMalignancyCalibration().ece().resamples())
            + " resamples).");
    if (r.breastMalignancyCalibration() != null) {
      Map<String, CalibrationMetrics.Measured> curves = new LinkedHashMap<>();
      curves.put("breast", r.breastMalignancyCalibration());
      curves.put("exam", r.examMalignancyCalibration());
      ReliabilityDiagram.section(h, "Malignancy, test split", curves);
    }
    h.heading("Workload");
    double[] x = r.workload().stream().mapToDouble(WorkloadCurve.Point::workloadShareLow).toArray();
    double[] y =
        r.workload().stream().mapToDouble(WorkloadCurve.Point::cancersMissedShare).toArray();
    h.chart(
        SvgPlot.line()
            .setTitle("Share of exams triaged low vs. share of cancers among them")
            .optXLabel("exams below the low threshold")
            .optYLabel("cancers below it")
            .optYRange(0, 1)
            .addSeries("test split", x, y)
            .build());
    h.heading("Risk (1-5 years)");
    h.paragraph(
        String.format(
            Locale.ROOT,
            "Concordance index (5-year risk): %s on %d comparable pairs (95%% CI by patient,"
                + " %d of %d resamples without a comparable pair). k-year AUC as in Mirai: years"
                + " are whole years (a cancer at t counts from year floor(t)+1, so one at exactly"
                + " 1.0 y is a 2-year, not a 1-year, positive); negatives need follow-up to the"
                + " horizon; cancers after it count as negatives. Undefined bootstrap resamples are"
                + " counted, not redrawn; a bound among them reads n/a.",
            r.cIndexCi().format(),
            r.cIndex().comparablePairs(),
            r.cIndexCi().undefined(),
            r.cIndexCi().resamples()));
    List<List<?>> rows = new ArrayList<>();
    for (int i = 0; i < r.kYearAuc().size(); i++) {
      KYearAuc.Result k = r.kYearAuc().get(i);
      BootstrapCi.Interval ci = r.kYearAucCi().get(i);
      rows.add(
          List.of(
              (int) k.years(),
              f(k.auc()),
              f(ci.lower()),
              f(ci.upper()),
              ci.undefined(),
              k.positives(),
              k.negatives(),
              k.excluded()));
    }
    h.table(
        List.of(
            "years",
            "AUC",
            "95% CI low",
            "95% CI high",
            "undefined resamples",
            "positives",
            "negatives",
            "excluded (censored)"),
        rows);
    h.chart(calibrationChart("5-year risk calibration", r.fiveYearRiskCalibration()));
    return h;
  }

  private static SvgPlot.Chart calibrationChart(String title, CalibrationCurve.Result c) {
    double[] px = c.bins().stream().mapToDouble(CalibrationCurve.Bin::meanPredicted).toArray();
    double[] py = c.bins().stream().mapToDouble(CalibrationCurve.Bin::observedRate).toArray();
    return SvgPlot.line()
        .setTitle(title + String.format(Locale.ROOT, " (ECE %.3f)", c.expectedCalibrationError()))
        .optXLabel("mean predicted probability")
        .optYLabel("observed rate")
        .optYRange(0, 1)
        .addSeries("model", px, py)
        .addSeries("ideal", new double[] {0, 1}, new double[] {0, 1})
        .build();
  }

  private static List<Object> row(String name, OperatingPoint p) {
    return List.of(
        name,
        f(p.threshold()),
        f(p.sensitivity()),
        f(p.specificity()),
        p.truePositives(),
        p.falseNegatives(),
        p.trueNegatives(),
        p.falsePositives());
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
