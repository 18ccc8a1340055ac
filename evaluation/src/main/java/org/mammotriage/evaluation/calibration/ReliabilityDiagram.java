package org.mammotriage.evaluation.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.evaluation.survival.CalibrationCurve;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;

/**
 * A reliability diagram (observed rate against mean predicted probability per bin, with the
 * diagonal) and the table of its bins with their counts, for the evaluation, replay and calibration
 * reports.
 */
public final class ReliabilityDiagram {
  private ReliabilityDiagram() {}

  /** One curve per entry (name → its measurement), plus the ideal diagonal. */
  public static SvgPlot.Chart chart(String title, Map<String, CalibrationMetrics.Measured> curves) {
    // the legend is narrow: the ECEs go in the title
    List<String> eces = new ArrayList<>();
    curves.forEach(
        (name, m) -> eces.add(String.format(Locale.ROOT, "%s %.3f", name, m.ece().estimate())));
    SvgPlot.LineBuilder b =
        SvgPlot.line()
            .setTitle(title + " (ECE " + String.join(", ", eces) + ")")
            .optXLabel("mean predicted probability (bin)")
            .optYLabel("observed rate")
            .optYRange(0, 1);
    curves.forEach(
        (name, m) -> {
          List<CalibrationCurve.Bin> bins = m.curve().bins();
          b.addSeries(
              name,
              bins.stream().mapToDouble(CalibrationCurve.Bin::meanPredicted).toArray(),
              bins.stream().mapToDouble(CalibrationCurve.Bin::observedRate).toArray());
        });
    b.addSeries("ideal", new double[] {0, 1}, new double[] {0, 1});
    return b.build();
  }

  /** Appends the diagram, the ECE/Brier table with CIs and the bins with their counts. */
  public static void section(
      HtmlReport h, String title, Map<String, CalibrationMetrics.Measured> curves) {
    h.chart(chart(title, curves));
    List<List<?>> rows = new ArrayList<>();
    curves.forEach(
        (name, m) ->
            rows.add(
                List.of(
                    name,
                    m.samples() + " (" + m.positives() + ")",
                    m.ece().format(),
                    String.format(Locale.ROOT, "%.3f", m.ecePlugIn()),
                    m.brier().format())));
    h.table(
        List.of(
            "predictions",
            "n (positive)",
            "ECE, bias-corrected [95% CI]",
            "ECE plug-in (the bins below)",
            "Brier [95% CI]"),
        rows);
    h.paragraph(
        "The plug-in ECE (the count-weighted mean |predicted − observed| over the bins below) is"
            + " biased upward: binomial noise alone keeps it above 0 for a perfectly calibrated"
            + " model. The ECE with its CI is bootstrap bias-corrected (2·plug-in − median of the"
            + " patient resamples) with the basic bootstrap interval, clipped at 0.");
    // one row per bin, for each curve its count, mean predicted and observed rate
    List<String> header = new ArrayList<>(List.of("bin"));
    curves.keySet().forEach(n -> header.addAll(List.of(n + ": n", "predicted", "observed")));
    int most = curves.values().stream().mapToInt(m -> m.curve().bins().size()).max().orElse(0);
    List<List<?>> bins = new ArrayList<>();
    for (int k = 0; k < most; k++) {
      List<Object> row = new ArrayList<>(List.of(k + 1));
      for (CalibrationMetrics.Measured m : curves.values()) {
        List<CalibrationCurve.Bin> bs = m.curve().bins();
        if (k < bs.size()) {
          row.add(bs.get(k).count());
          row.add(String.format(Locale.ROOT, "%.3f", bs.get(k).meanPredicted()));
          row.add(String.format(Locale.ROOT, "%.3f", bs.get(k).observedRate()));
        } else {
          row.addAll(List.of("", "", ""));
        }
      }
      bins.add(row);
    }
    h.table(header, bins);
  }
}
