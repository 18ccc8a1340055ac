package org.mammotriage.training.calibration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.evaluation.calibration.CalibrationMetrics;
import org.mammotriage.evaluation.calibration.ReliabilityDiagram;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;

/** {@code calibration.html} and {@code calibration.json}: before and after on the test split. */
public final class CalibrationReport {
  public static final String HTML_FILE = "calibration.html";
  public static final String JSON_FILE = "calibration.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CalibrationReport() {}

  public static void write(
      ModelCalibration.Result r, ModelThresholds old, String model, String notice, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model);
    json.put("notice", notice);
    json.put("calibration", r.calibration().toString());
    json.put("fitted_on", r.calibration().fittedOn());
    json.put("selection", r.calibration().selection());
    json.put("evaluation", r.calibration().evaluation());
    json.put("thresholds_before", old);
    json.put("thresholds_after", r.thresholds());
    json.put("test_before", r.before().examMalignancyCalibration());
    json.put("test_after", r.after().examMalignancyCalibration());
    json.put("test_breast_before", r.before().breastMalignancyCalibration());
    json.put("test_breast_after", r.after().breastMalignancyCalibration());
    JSON.writeValue(dir.resolve(JSON_FILE).toFile(), json);
    html(r, old, model, notice).write(dir.resolve(HTML_FILE));
  }

  static HtmlReport html(
      ModelCalibration.Result r, ModelThresholds old, String model, String notice) {
    HtmlReport h = new HtmlReport("Malignancy calibration: " + model);
    if (notice != null && !notice.isBlank()) {
      h.notice(notice);
    }
    Calibration c = r.calibration();
    h.heading("Calibrator");
    Map<String, Object> kv = new LinkedHashMap<>();
    kv.put("method", c.toString());
    kv.put("fitted on", c.fittedOn());
    kv.put("choice", c.selection());
    kv.put("applied to", "each breast's malignancy probability, by the scorer (model.json)");
    kv.put("measured on", r.after().evaluationSet());
    h.keyValues(kv);
    h.chart(mapChart(c), "The calibration map: calibrated against raw probability.");
    h.heading("Reliability on the test split, per breast");
    Map<String, CalibrationMetrics.Measured> breast = new LinkedHashMap<>();
    breast.put("raw", r.before().breastMalignancyCalibration());
    breast.put("calibrated", r.after().breastMalignancyCalibration());
    ReliabilityDiagram.section(h, "Per breast, test split", breast);
    h.heading("Reliability on the test split, per exam (larger breast)");
    Map<String, CalibrationMetrics.Measured> exam = new LinkedHashMap<>();
    exam.put("raw", r.before().examMalignancyCalibration());
    exam.put("calibrated", r.after().examMalignancyCalibration());
    ReliabilityDiagram.section(h, "Per exam, test split", exam);
    h.paragraph(
        CalibrationMetrics.BINNING
            + ". Brier = mean squared error of the probability. 95% CIs: percentile bootstrap,"
            + " 1000 resamples of whole patients.");
    h.heading("Thresholds");
    h.paragraph(r.thresholds().provenance());
    h.table(
        List.of("threshold", "before (raw space)", "after (calibrated space)"),
        List.of(
            List.of("suspicious", f(old.suspicious()), f(r.thresholds().suspicious())),
            List.of("low", f(old.low()), f(r.thresholds().low())),
            List.of("risk5y (not calibrated)", f(old.risk5y()), f(r.thresholds().risk5y()))));
    h.table(
        List.of("test split", "sensitivity at suspicious", "specificity", "sensitivity at low"),
        List.of(
            List.of(
                "raw",
                f(r.before().atSuspicious().sensitivity()),
                f(r.before().atSuspicious().specificity()),
                f(r.before().atLow().sensitivity())),
            List.of(
                "calibrated",
                f(r.after().atSuspicious().sensitivity()),
                f(r.after().atSuspicious().specificity()),
                f(r.after().atLow().sensitivity()))));
    return h;
  }

  private static SvgPlot.Chart mapChart(Calibration c) {
    int n = 201;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i / (double) (n - 1);
      y[i] = c.apply(x[i]);
    }
    return SvgPlot.line()
        .setTitle("Calibration map (" + c + ")")
        .optXLabel("raw probability")
        .optYLabel("calibrated probability")
        .optYRange(0, 1)
        .addSeries(c.method(), x, y)
        .addSeries("identity", new double[] {0, 1}, new double[] {0, 1})
        .build();
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }
}
