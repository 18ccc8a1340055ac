package org.mammotriage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.streams.DriftStats;

/**
 * The drift report ({@code mammotriage drift}): per source (calling AE; manufacturer/model) the
 * exams' statistics against the model's validation reference ({@code model.json} {@code
 * domain.reference}), PSI per statistic with the threshold, the share of exams out of domain;
 * {@code drift.json} and {@code drift.html} (tables and SVG histograms, reference vs source).
 */
final class DriftReport {
  /** One source's figures. */
  record Source(String name, DriftStats.Figures figures, boolean drifted, boolean enough) {}

  private final ModelManifest model;
  private final double threshold;
  private final int minExams;
  private final List<Source> sources = new ArrayList<>();
  private final int records;

  /**
   * @param exams the latest version of each exam's score record, oldest first
   * @param window the last this many exams per source (0: all)
   */
  DriftReport(
      ModelManifest model, List<ExamScore> exams, int window, double threshold, int minExams) {
    this.model = model;
    this.threshold = threshold;
    this.minExams = minExams;
    this.records = exams.size();
    DriftReference ref = reference(model);
    Map<String, List<ExamScore>> by = new LinkedHashMap<>();
    for (ExamScore e : exams) {
      for (String s : DriftStats.sources(e)) {
        by.computeIfAbsent(s, k -> new ArrayList<>()).add(e);
      }
    }
    by.forEach(
        (name, list) -> {
          List<ExamScore> w =
              window > 0 && list.size() > window
                  ? list.subList(list.size() - window, list.size())
                  : list;
          DriftStats.Figures f = DriftStats.of(ref, w);
          boolean enough = w.size() >= minExams;
          sources.add(new Source(name, f, enough && !f.drifted(threshold).isEmpty(), enough));
        });
    sources.sort(Comparator.comparing(Source::name));
  }

  static DriftReference reference(ModelManifest model) {
    if (model.domain() == null || model.domain().reference() == null) {
      throw new IllegalArgumentException(
          "the model "
              + model.name()
              + " has no domain.reference in its model.json: compute it with ./run train domain"
              + " --model DIR --manifest CSV");
    }
    return model.domain().reference();
  }

  List<Source> sources() {
    return sources;
  }

  ObjectNode json(ObjectMapper m) {
    DriftReference ref = reference(model);
    ObjectNode root = m.createObjectNode();
    root.put("model", model.name() + ":" + model.version());
    root.put("records", records);
    root.put("psi_threshold", threshold);
    root.put("min_exams", minExams);
    root.put(
        "method",
        "per source, each statistic's counts over the reference bins vs model.json"
            + " domain.reference ("
            + ref.how()
            + "); PSI = sum (a - e) ln(a / e) over bin shares"
            + " (floored at 1e-4); a statistic of a source with at least min_exams exams drifted"
            + " when its PSI exceeds psi_threshold + allowance, allowance = (df + 2 sqrt(2 df))(1/n"
            + " + 1/m), df = bins - 1: the PSI an undrifted sample of n values against m"
            + " reference values stays below with about 97.5% probability (chi-square"
            + " approximation)");
    ArrayNode arr = root.putArray("sources");
    for (Source s : sources) {
      ObjectNode n = arr.addObject();
      n.put("source", s.name());
      n.put("exams", s.figures().exams());
      n.put("enough_exams", s.enough());
      n.put("drifted", s.drifted());
      putNumber(n, "ood_rate", s.figures().oodRate());
      ObjectNode psi = n.putObject("psi");
      s.figures().psi().forEach((k, v) -> putNumber(psi, k, v));
      ObjectNode allow = n.putObject("allowance");
      s.figures().allowance().forEach((k, v) -> putNumber(allow, k, v));
      ArrayNode dr = n.putArray("drifted_statistics");
      s.figures().drifted(threshold).forEach(dr::add);
      ObjectNode counts = n.putObject("counts");
      s.figures()
          .counts()
          .forEach(
              (k, c) -> {
                ArrayNode a = counts.putArray(k);
                for (long v : c) {
                  a.add(v);
                }
              });
    }
    return root;
  }

  /** Writes drift.json and drift.html into {@code out}; returns the HTML file. */
  Path write(Path out) throws IOException {
    Files.createDirectories(out);
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    m.writeValue(out.resolve("drift.json").toFile(), json(m));
    return html(out);
  }

  private Path html(Path out) {
    DriftReference ref = reference(model);
    HtmlReport r = new HtmlReport("Drift by source — " + model.name() + " " + model.version());
    if (model.intendedUse() != null
        && model.intendedUse().toUpperCase(Locale.ROOT).contains("NOT FOR CLINICAL")) {
      r.notice(model.intendedUse());
    }
    r.paragraph(
        String.format(
            Locale.ROOT,
            "%d exam records (latest version of each) from mammo.scores.v1, grouped by calling AE"
                + " (ae:) and by manufacturer/model (vendor:). Each statistic of a source is"
                + " compared with the model's validation reference by the population stability"
                + " index (PSI); a statistic of a source with at least %d exams has drifted when"
                + " its PSI exceeds %.2f plus the PSI an undrifted sample of its size stays below"
                + " with ≈97.5 %% probability, (df + 2√(2df))(1/n + 1/m), df = bins − 1 (▲). Reference: %s.",
            records,
            minExams,
            threshold,
            ref.how()));
    List<String> stats = new ArrayList<>(ref.histograms().keySet());
    if (!ref.categoryShares().isEmpty()) {
      stats.add(DriftStats.CATEGORY);
    }
    List<String> header = new ArrayList<>(List.of("source", "exams", "out of domain"));
    stats.forEach(s -> header.add("PSI " + s));
    header.add("drifted");
    List<List<String>> rows = new ArrayList<>();
    for (Source s : sources) {
      List<String> row = new ArrayList<>();
      row.add(s.name());
      row.add(Integer.toString(s.figures().exams()));
      row.add(String.format(Locale.ROOT, "%.1f%%", 100 * s.figures().oodRate()));
      for (String st : stats) {
        Double v = s.figures().psi().get(st);
        row.add(
            v == null || v.isNaN()
                ? "–"
                : String.format(
                    Locale.ROOT,
                    "%.3f%s",
                    v,
                    s.enough() && s.figures().drifted(st, threshold) ? " ▲" : ""));
      }
      row.add(!s.enough() ? "too few exams" : s.drifted() ? "YES" : "no");
      rows.add(row);
    }
    r.heading("Sources");
    r.table(header, rows);
    for (Source s : sources) {
      r.heading(s.name() + (s.drifted() ? " — drifted" : ""));
      for (String st : ref.histograms().keySet()) {
        DriftReference.Histogram h = ref.histograms().get(st);
        long[] c = s.figures().counts().get(st);
        if (c == null || java.util.Arrays.stream(c).sum() == 0) {
          continue;
        }
        List<String> bins = new ArrayList<>();
        for (int i = 0; i < h.counts().length; i++) {
          bins.add(edgeLabel(h.edges()[i]));
        }
        r.chart(
            SvgPlot.bars()
                .setTitle(
                    String.format(
                        Locale.ROOT, "%s: %s (PSI %.3f)", s.name(), st, s.figures().psi().get(st)))
                .setCategories(bins)
                .optYLabel("share")
                .optSize(900, 260)
                .addSeries("validation reference", shares(h.counts()))
                .addSeries(s.name(), shares(c))
                .build(),
            "share of "
                + (st.equals(DriftReference.SUSPICION) ? "exams" : "views")
                + " per bin (bin lower edge on the axis)");
      }
      long[] cats = s.figures().counts().get(DriftStats.CATEGORY);
      if (cats != null && java.util.Arrays.stream(cats).sum() > 0) {
        double[] e = new double[DriftStats.CATEGORIES.size()];
        for (int i = 0; i < e.length; i++) {
          e[i] = ref.categoryShares().getOrDefault(DriftStats.CATEGORIES.get(i), 0.0);
        }
        r.chart(
            SvgPlot.bars()
                .setTitle(
                    String.format(
                        Locale.ROOT,
                        "%s: category shares (PSI %.3f)",
                        s.name(),
                        s.figures().psi().get(DriftStats.CATEGORY)))
                .setCategories(DriftStats.CATEGORIES)
                .optYLabel("share")
                .optSize(600, 240)
                .addSeries("validation reference", e)
                .addSeries(s.name(), shares(cats))
                .build(),
            "share of in-domain exams per category");
      }
    }
    return r.write(out.resolve("drift.html"));
  }

  /** A number, or null where it is not one (NaN: the source has no value of the statistic). */
  private static void putNumber(ObjectNode n, String k, Double v) {
    if (v == null || v.isNaN() || v.isInfinite()) {
      n.putNull(k);
    } else {
      n.put(k, v);
    }
  }

  static double[] shares(long[] c) {
    double t = java.util.Arrays.stream(c).sum();
    double[] s = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      s[i] = t == 0 ? 0 : c[i] / t;
    }
    return s;
  }

  /**
   * A bin edge as a plain decimal with two significant digits (no exponent: a calibrated
   * suspicion's edges run from 6.8e-05 up), "0" below 1e-6.
   */
  static String edgeLabel(double e) {
    if (!Double.isFinite(e)) {
      return String.valueOf(e);
    }
    if (Math.abs(e) < 1e-6) {
      return "0";
    }
    return new java.math.BigDecimal(e)
        .round(new java.math.MathContext(2))
        .stripTrailingZeros()
        .toPlainString();
  }
}
