package org.mammotriage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.streams.Category;

/**
 * What a run through the pipeline produced: decisions per exam, rejected files by reason against
 * what the archive's {@code faults.csv} expects, latency; as a console table, {@code summary.json}
 * and {@code report.html} (inline SVG plots, no network).
 */
final class DemoReport {
  static final List<String> CATEGORIES =
      java.util.Arrays.stream(Category.values()).map(Category::label).toList();
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  final Map<String, Object> summary = new LinkedHashMap<>();
  private final List<TriageDecision> latest = new ArrayList<>();
  private final List<Long> latencies = new ArrayList<>();
  private final Map<String, Integer> categories = new LinkedHashMap<>();
  private final Map<String, Integer> verdicts = new LinkedHashMap<>();
  private final Map<String, Integer> domainReasons = new java.util.TreeMap<>();
  private final Map<String, Integer> rejectedByReason = new TreeMap<>();
  private final Map<String, Integer> expectedByReason = new TreeMap<>();

  DemoReport(
      String notice,
      Set<String> expectedExams,
      Map<String, List<TriageDecision>> decisions,
      List<RejectedInstance> rejected,
      Map<String, String[]> faults,
      List<ArchiveSender.FileResult> files,
      Map<String, Object> timings) {
    summary.put("notice", notice);
    int duplicates = 0;
    int amended = 0;
    int total = 0;
    String modelId = null;
    String intendedUse = null;
    for (List<TriageDecision> ds : decisions.values()) {
      Map<Integer, Integer> perVersion = new TreeMap<>();
      TriageDecision last = null;
      for (TriageDecision d : ds) {
        total++;
        perVersion.merge(d.getExamVersion(), 1, Integer::sum);
        if (last == null || d.getExamVersion() > last.getExamVersion()) {
          last = d;
        }
        if (d.getExamVersion() == 1) {
          latencies.add(d.getLatencyFromLastImageMs());
        }
        modelId = d.getModelId();
        intendedUse = d.getModelIntendedUse();
      }
      for (int n : perVersion.values()) {
        duplicates += n - 1;
      }
      amended += perVersion.size() > 1 ? 1 : 0;
      latest.add(last);
    }
    latencies.sort(Long::compare);
    for (String c : CATEGORIES) {
      categories.put(c, 0);
    }
    for (String v : List.of("IN_DOMAIN", "OUT_OF_DOMAIN", "NOT_CHECKED")) {
      verdicts.put(v, 0);
    }
    for (TriageDecision d : latest) {
      categories.merge(d.getCategory(), 1, Integer::sum);
      verdicts.merge(d.getDomainVerdict() == null ? "NONE" : d.getDomainVerdict(), 1, Integer::sum);
      d.getDomainReasons().forEach(r -> domainReasons.merge(r, 1, Integer::sum));
    }
    List<String> missing =
        expectedExams.stream().filter(e -> !decisions.containsKey(e)).sorted().toList();
    Map<String, Object> exams = new LinkedHashMap<>();
    exams.put("expected", expectedExams.size());
    exams.put("decided", decisions.keySet().stream().filter(expectedExams::contains).count());
    exams.put("missing", missing);
    exams.put(
        "unexpected", decisions.keySet().stream().filter(e -> !expectedExams.contains(e)).count());
    exams.put("decisions", total);
    exams.put("amended_exams", amended);
    exams.put("duplicate_decisions", duplicates);
    exams.put("every_exam_decided_once", missing.isEmpty() && duplicates == 0);
    summary.put(
        "model",
        Map.of("id", String.valueOf(modelId), "intended_use", String.valueOf(intendedUse)));
    summary.put("exams", exams);
    summary.put("categories", categories);
    summary.put("domain_verdicts", verdicts);
    summary.put("domain_reasons", domainReasons);
    for (RejectedInstance r : rejected) {
      rejectedByReason.merge(r.getReasonCode(), 1, Integer::sum);
    }
    Map<String, Integer> expectedActions = new TreeMap<>();
    for (String[] f : faults.values()) {
      expectedActions.merge(f[1], 1, Integer::sum);
      if ("REJECT".equals(f[1])) {
        expectedByReason.merge(f[2], 1, Integer::sum);
      }
    }
    Map<String, Object> rej = new LinkedHashMap<>();
    rej.put("by_reason", rejectedByReason);
    rej.put("expected_by_reason", expectedByReason);
    rej.put("expected_actions", expectedActions);
    rej.put("every_fault_accounted_for", rejectedByReason.equals(expectedByReason));
    summary.put("rejected", rej);
    long success =
        files.stream()
            .filter(
                f ->
                    f.status() != null
                        && (f.status().startsWith("Success")
                            || f.status().startsWith("IMPORT STORED")
                            || f.status().startsWith("IMPORT DUPLICATE")))
            .count();
    summary.put(
        "files",
        Map.of("sent", files.size(), "accepted", success, "refused", files.size() - success));
    Map<String, Object> lat = new LinkedHashMap<>();
    lat.put("p50", percentile(0.50));
    lat.put("p99", percentile(0.99));
    lat.put("max", latencies.isEmpty() ? null : latencies.get(latencies.size() - 1));
    lat.put(
        "what", "ms from the exam's last image acknowledged by ingest to the decision (version 1)");
    summary.put("latency_ms", lat);
    List<Map<String, Object>> top = new ArrayList<>();
    for (TriageDecision d : topSuspicious(5)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("accession", String.valueOf(d.getAccessionNumber()));
      m.put("category", d.getCategory());
      m.put("suspicion", d.getSuspicion());
      m.put("left", d.getMalignancyLeft());
      m.put("right", d.getMalignancyRight());
      m.put("risk_1_5y", d.getRisk());
      m.put("risk_elevated", d.getRiskElevated());
      top.add(m);
    }
    summary.put("most_suspicious", top);
    summary.put("timings_s", timings);
  }

  Long percentile(double q) {
    if (latencies.isEmpty()) {
      return null;
    }
    return latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(q * latencies.size()) - 1));
  }

  List<TriageDecision> topSuspicious(int n) {
    return latest.stream()
        .filter(d -> d.getSuspicion() != null)
        .sorted(Comparator.comparingDouble((TriageDecision d) -> d.getSuspicion()).reversed())
        .limit(n)
        .toList();
  }

  /** The console table. */
  String table() {
    StringBuilder b = new StringBuilder();
    @SuppressWarnings("unchecked")
    Map<String, Object> exams = (Map<String, Object>) summary.get("exams");
    b.append(
        String.format(
            Locale.ROOT,
            "%nExams: %s expected, %s decided, %s amended, %s duplicate decisions%n",
            exams.get("expected"),
            exams.get("decided"),
            exams.get("amended_exams"),
            exams.get("duplicate_decisions")));
    b.append("\n  category       exams\n");
    categories.forEach((c, n) -> b.append(String.format(Locale.ROOT, "  %-13s %6d%n", c, n)));
    b.append("\n  domain verdict  exams\n");
    verdicts.forEach((c, n) -> b.append(String.format(Locale.ROOT, "  %-13s %6d%n", c, n)));
    if (!domainReasons.isEmpty()) {
      b.append("  domain reasons: ").append(domainReasons).append('\n');
    }
    b.append(
        "\n  most suspicious      suspicion   left   right   risk 1y..5y                     category\n");
    for (TriageDecision d : topSuspicious(5)) {
      StringBuilder risk = new StringBuilder();
      for (double r : d.getRisk()) {
        risk.append(String.format(Locale.ROOT, "%.3f ", r));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "  %-18s %9.3f  %5s  %5s   %-31s %s%n",
              d.getAccessionNumber(),
              d.getSuspicion(),
              fmt(d.getMalignancyLeft()),
              fmt(d.getMalignancyRight()),
              risk.toString().trim(),
              d.getCategory()));
    }
    b.append("\n  rejected files by reason   got  expected (faults.csv)\n");
    Set<String> reasons = new java.util.TreeSet<>(rejectedByReason.keySet());
    reasons.addAll(expectedByReason.keySet());
    for (String r : reasons) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-26s %4d  %4d%n",
              r,
              rejectedByReason.getOrDefault(r, 0),
              expectedByReason.getOrDefault(r, 0)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%n  latency last image -> decision: p50 %s ms, p99 %s ms (%d exams)%n",
            percentile(0.5),
            percentile(0.99),
            latencies.size()));
    return b.toString();
  }

  private static String fmt(Double d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d);
  }

  void write(Path dir, String title) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("summary.json").toFile(), summary);
    HtmlReport h = new HtmlReport(title);
    h.notice(String.valueOf(summary.get("notice")));
    h.keyValues(flatten());
    h.heading("Decisions by category");
    h.chart(
        SvgPlot.bars()
            .setTitle("Exams per category (latest version)")
            .setCategories(new ArrayList<>(categories.keySet()))
            .optYLabel("exams")
            .addSeries(
                "exams", categories.values().stream().mapToDouble(Integer::doubleValue).toArray())
            .build());
    h.heading("Domain verdicts");
    h.paragraph(
        "Each exam checked against the model's validated domain (model.json domain: header,"
            + " model-input statistics, OOD score per view); out-of-domain exams go to"
            + " mammo.triage.out_of_domain.v1 and are read by standard practice. Reasons: "
            + (domainReasons.isEmpty() ? "none" : domainReasons.toString()));
    h.chart(
        SvgPlot.bars()
            .setTitle("Exams per domain verdict (latest version)")
            .setCategories(new ArrayList<>(verdicts.keySet()))
            .optYLabel("exams")
            .addSeries(
                "exams", verdicts.values().stream().mapToDouble(Integer::doubleValue).toArray())
            .build());
    h.heading("Most suspicious exams");
    List<List<?>> rows = new ArrayList<>();
    for (TriageDecision d : topSuspicious(10)) {
      rows.add(
          List.of(
              String.valueOf(d.getAccessionNumber()),
              d.getCategory(),
              fmt(d.getSuspicion()),
              fmt(d.getMalignancyLeft()),
              fmt(d.getMalignancyRight()),
              d.getRisk().isEmpty() ? "-" : fmt(d.getRisk().get(d.getRisk().size() - 1)),
              d.getRiskElevated()));
    }
    h.table(
        List.of(
            "accession", "category", "suspicion", "left", "right", "5-year risk", "risk elevated"),
        rows);
    h.heading("Suspicion scores");
    double[] edges = {0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1.0001};
    double[] counts = new double[edges.length - 1];
    for (TriageDecision d : latest) {
      if (d.getSuspicion() != null) {
        for (int i = 0; i < counts.length; i++) {
          if (d.getSuspicion() >= edges[i] && d.getSuspicion() < edges[i + 1]) {
            counts[i]++;
          }
        }
      }
    }
    List<String> bins = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      bins.add(String.format(Locale.ROOT, "%.1f", edges[i]));
    }
    h.chart(
        SvgPlot.bars()
            .setTitle("Exam suspicion (histogram, bin start)")
            .setCategories(bins)
            .optYLabel("exams")
            .addSeries("exams", counts)
            .build());
    h.heading("Latency");
    h.chart(latencyChart());
    h.heading("Rejected files");
    Set<String> reasons = new java.util.TreeSet<>(rejectedByReason.keySet());
    reasons.addAll(expectedByReason.keySet());
    List<List<?>> rrows = new ArrayList<>();
    for (String r : reasons) {
      rrows.add(
          List.of(r, rejectedByReason.getOrDefault(r, 0), expectedByReason.getOrDefault(r, 0)));
    }
    h.table(List.of("reason", "dead-letter records", "expected by faults.csv"), rrows);
    if (!reasons.isEmpty()) {
      List<String> rl = new ArrayList<>(reasons);
      h.chart(
          SvgPlot.bars()
              .setTitle("Rejected files by reason")
              .setCategories(rl)
              .optYLabel("files")
              .addSeries(
                  "dead-letter records",
                  rl.stream().mapToDouble(r -> rejectedByReason.getOrDefault(r, 0)).toArray())
              .addSeries(
                  "expected",
                  rl.stream().mapToDouble(r -> expectedByReason.getOrDefault(r, 0)).toArray())
              .build());
    }
    h.write(dir.resolve("report.html"));
  }

  SvgPlot.Chart latencyChart() {
    long max = latencies.isEmpty() ? 1 : Math.max(1, latencies.get(latencies.size() - 1));
    int n = 10;
    double width = Math.ceil(max / (double) n / 10.0) * 10.0;
    double[] counts = new double[n];
    List<String> bins = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      bins.add(String.format(Locale.ROOT, "%.0f", i * width));
    }
    for (long l : latencies) {
      counts[Math.min(n - 1, (int) (l / width))]++;
    }
    return SvgPlot.bars()
        .setTitle("Last image to decision, ms (histogram, bin start)")
        .setCategories(bins)
        .optYLabel("exams")
        .addSeries("exams", counts)
        .build();
  }

  private Map<String, Object> flatten() {
    Map<String, Object> kv = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> exams = (Map<String, Object>) summary.get("exams");
    @SuppressWarnings("unchecked")
    Map<String, Object> model = (Map<String, Object>) summary.get("model");
    kv.put("model", model.get("id"));
    kv.put("intended use", model.get("intended_use"));
    kv.put("exams expected / decided", exams.get("expected") + " / " + exams.get("decided"));
    kv.put("every exam decided once", exams.get("every_exam_decided_once"));
    kv.put("latency p50 / p99 (ms)", percentile(0.5) + " / " + percentile(0.99));
    kv.put("timings (s)", summary.get("timings_s"));
    return kv;
  }

  static String readString(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
