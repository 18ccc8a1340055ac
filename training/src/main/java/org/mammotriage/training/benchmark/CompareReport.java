package org.mammotriage.training.benchmark;

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
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;
import org.mammotriage.training.pretrain.Ablation;

/** Writes the comparison as {@code table.txt}, {@code compare.json} and {@code compare.html}. */
public final class CompareReport {
  public static final String TABLE_FILE = "table.txt";
  public static final String JSON_FILE = "compare.json";
  public static final String HTML_FILE = "compare.html";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CompareReport() {}

  /** Everything written. */
  public record Inputs(
      CompareProtocol.Plan plan,
      Map<String, Object> setup,
      CompareAggregate.Result result,
      List<RunScores> runs,
      String notice) {}

  public static void write(Inputs in, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(TABLE_FILE), table(in));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("notice", in.notice());
    json.put("setup", in.setup());
    json.put("cells", in.result().cells());
    json.put("differences", in.result().differences());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (RunScores r : in.runs()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", r.method());
      m.put("seed", r.seed());
      m.put("seconds", r.seconds());
      m.put("note", r.note());
      Map<String, Object> probes = new LinkedHashMap<>();
      r.probes()
          .forEach(
              (k, p) ->
                  probes.put(
                      k,
                      Map.of(
                          "l2", p.l2(),
                          "selection_auc", p.selectionAuc(),
                          "threshold", p.threshold(),
                          "labelled_breasts_per_class", p.perClass())));
      m.put("probes", probes);
      m.put("loss", r.loss());
      runs.add(m);
    }
    json.put("runs", runs);
    JSON.writeValue(dir.resolve(JSON_FILE).toFile(), json);
    html(in).write(dir.resolve(HTML_FILE));
  }

  /** The printed table: AUC per method × task × budget, then the paired differences. */
  public static String table(Inputs in) {
    StringBuilder s = new StringBuilder();
    List<String> methods = in.plan().methods();
    for (String task : CompareProtocol.TASKS) {
      s.append(
          String.format(
              Locale.ROOT,
              "%n%s (AUC, mean of %d seed(s), 95%% CI by patient)%n",
              task,
              in.plan().seeds().size()));
      s.append(String.format(Locale.ROOT, "%-11s", "method"));
      for (double f : in.plan().fractions()) {
        s.append(String.format(Locale.ROOT, " %-28s", budgetLabel(in, task, f)));
      }
      s.append('\n');
      for (String m : methods) {
        s.append(String.format(Locale.ROOT, "%-11s", m));
        for (double f : in.plan().fractions()) {
          CompareAggregate.Cell c = cell(in, m, task, f);
          s.append(String.format(Locale.ROOT, " %-28s", c == null ? "-" : c.auc().format()));
        }
        s.append('\n');
      }
    }
    s.append(
        String.format(
            Locale.ROOT,
            "%nDifferences in AUC (method − reference; paired bootstrap by patient, 95%% CI)%n"));
    for (CompareAggregate.Difference d : in.result().differences()) {
      s.append(
          String.format(
              Locale.ROOT,
              "%-11s − %-10s %-14s @%-5s %s%s%n",
              d.method(),
              d.reference(),
              d.task(),
              CompareAggregate.pct(d.fraction()),
              d.difference().format(),
              d.difference().excludes(0) ? "  *" : ""));
    }
    s.append("\n* the interval excludes 0\n");
    return s.toString();
  }

  static HtmlReport html(Inputs in) {
    HtmlReport h =
        new HtmlReport(
            "Pretraining methods compared (benchmark " + in.setup().get("benchmark") + ")");
    h.notice(in.notice());
    h.heading("Setup");
    h.keyValues(in.setup());
    h.paragraph(
        "Protocol: every method trains the same image encoder on the same archive for the same number"
            + " of steps, once per seed. random = an untrained encoder (the floor); supervised = the"
            + " encoder trained end to end on all training labels (mass, calcification, malignancy),"
            + " its step picked on the selection half of the validation split (the ceiling). Linear"
            + " probes on frozen embeddings train on label budgets of the train split (a share of each"
            + " class's breasts, never fewer than the minimum per class); the probe's L2 strength is"
            + " picked on the selection half, its threshold (Youden's J) on the other half, and every"
            + " number is measured on the test split. AUCs are means over seeds; 95% CIs resample"
            + " patients (percentile bootstrap; resamples on which an AUC is undefined are counted,"
            + " not redrawn). Differences are paired: one patient resample scores both methods.");
    h.heading("Headline: pretraining methods against CLIP");
    int nSeeds = in.plan().seeds().size();
    h.paragraph(
        "The intervals cover the sampling of test patients and average over "
            + nSeeds
            + " seed(s)"
            + (in.plan().baselineSeeds() < nSeeds
                ? " ("
                    + String.join(", ", in.plan().fewSeedMethods())
                    + ": the first "
                    + in.plan().baselineSeeds()
                    + ")"
                : "")
            + "; they do not cover seed-to-seed variation, which the per-seed AUCs show."
            + (nSeeds < 3
                ? " Fewer than 3 seeds: this is a reduced run, and a separated difference here is"
                    + " not evidence for an ordering of the methods."
                : ""));
    List<List<?>> head = new ArrayList<>();
    for (CompareAggregate.Difference d : in.result().differences()) {
      if (d.reference().equals("clip") && !CompareProtocol.BASELINES.contains(d.method())) {
        head.add(
            List.of(
                d.method() + " − clip",
                d.task(),
                CompareAggregate.pct(d.fraction()),
                d.difference().format(),
                d.difference().excludes(0)
                    ? (d.difference().lower() > 0 ? "better" : "worse")
                    : "not separated"));
      }
    }
    if (!head.isEmpty()) {
      h.table(List.of("difference", "task", "labels", "ΔAUC [95% CI]", "verdict"), head);
    }
    List<List<?>> ablations = new ArrayList<>();
    for (CompareAggregate.Difference d : in.result().differences()) {
      String full = CompareAggregate.ablatedFrom(d.reference());
      if (full != null && full.equals(d.method())) {
        ablations.add(
            List.of(
                d.method() + " − " + d.reference(),
                Ablation.parse(d.reference()).ablation().description(),
                d.task(),
                CompareAggregate.pct(d.fraction()),
                d.difference().format(),
                d.difference().excludes(0)
                    ? (d.difference().lower() > 0 ? "the term helps" : "the term hurts")
                    : "not separated"));
      }
    }
    if (!ablations.isEmpty()) {
      h.heading("Ablations: what one term of an objective adds");
      h.paragraph(
          "Each row is the method as its paper writes it minus the same method, data, steps and"
              + " seeds with one term of the loss switched off (paired patient bootstrap).");
      h.table(
          List.of("difference", "ablated", "task", "labels", "ΔAUC [95% CI]", "verdict"),
          ablations);
    }
    for (String task : CompareProtocol.TASKS) {
      h.heading("Task: " + task);
      List<List<?>> rows = new ArrayList<>();
      for (double f : in.plan().fractions()) {
        for (String m : in.plan().methods()) {
          CompareAggregate.Cell c = cell(in, m, task, f);
          if (c == null) {
            continue;
          }
          rows.add(
              List.of(
                  budgetLabel(in, task, f),
                  m,
                  c.auc().format(),
                  seeds(c.seedAucs()),
                  f3(c.sensitivity()),
                  f3(c.specificity()),
                  f3(c.balancedAccuracy())));
        }
      }
      h.table(
          List.of(
              "labels",
              "method",
              "AUC [95% CI]",
              "AUC per seed",
              "sensitivity",
              "specificity",
              "balanced accuracy"),
          rows);
      h.chart(aucChart(in, task), "AUC against the label budget, shaded: 95% CI by patient");
    }
    h.heading("All paired differences");
    List<List<?>> rows = new ArrayList<>();
    for (CompareAggregate.Difference d : in.result().differences()) {
      rows.add(
          List.of(
              d.method() + " − " + d.reference(),
              d.task(),
              CompareAggregate.pct(d.fraction()),
              d.difference().format(),
              d.difference().undefined(),
              d.difference().excludes(0) ? "yes" : "no"));
    }
    h.table(
        List.of(
            "difference",
            "task",
            "labels",
            "ΔAUC [95% CI]",
            "undefined resamples",
            "CI excludes 0"),
        rows);
    h.heading("Training loss");
    for (String m : in.plan().methods()) {
      SvgPlot.Chart c = lossChart(in, m);
      if (c != null) {
        h.chart(c);
      }
    }
    h.heading("Runs");
    List<List<?>> runRows = new ArrayList<>();
    for (RunScores r : in.runs()) {
      runRows.add(
          List.of(r.method(), r.seed(), String.format(Locale.ROOT, "%.0f", r.seconds()), r.note()));
    }
    h.table(List.of("method", "seed", "seconds", "note"), runRows);
    return h;
  }

  private static SvgPlot.Chart aucChart(Inputs in, String task) {
    double[] fr = in.plan().fractions();
    double[] x = new double[fr.length];
    for (int i = 0; i < fr.length; i++) {
      x[i] = Math.log10(fr[i] * 100);
    }
    SvgPlot.LineBuilder b =
        SvgPlot.line()
            .setTitle(task + ": linear-probe AUC against the label budget")
            .optXLabel("labels, log10 % of the train split (0 = 1 %, 1 = 10 %, 2 = 100 %)")
            .optYLabel("test AUC")
            .optYRange(0.3, 1.0)
            .optSize(900, 380);
    for (String m : in.plan().methods()) {
      double[] y = new double[fr.length];
      double[] lo = new double[fr.length];
      double[] hi = new double[fr.length];
      boolean any = false;
      for (int i = 0; i < fr.length; i++) {
        CompareAggregate.Cell c = cell(in, m, task, fr[i]);
        BootstrapCi.Interval ci = c == null ? null : c.auc();
        y[i] = ci == null ? Double.NaN : ci.estimate();
        lo[i] = ci == null ? Double.NaN : ci.lower();
        hi[i] = ci == null ? Double.NaN : ci.upper();
        any |= ci != null;
      }
      if (any) {
        b.addSeries(m, x, y, lo, hi);
      }
    }
    b.addSeries("chance", new double[] {x[0], x[x.length - 1]}, new double[] {0.5, 0.5});
    return b.build();
  }

  private static SvgPlot.Chart lossChart(Inputs in, String method) {
    List<RunScores> rs =
        in.runs().stream().filter(r -> r.method().equals(method) && !r.loss().isEmpty()).toList();
    if (rs.isEmpty()) {
      return null;
    }
    SvgPlot.LineBuilder b =
        SvgPlot.line()
            .setTitle(method + ": training loss per step")
            .optXLabel("step")
            .optYLabel(method.equals("supervised") ? "weighted BCE" : "contrastive loss (total)")
            .optSize(900, 300);
    for (RunScores r : rs) {
      double[] x = r.loss().stream().mapToDouble(v -> v[0]).toArray();
      double[] y = r.loss().stream().mapToDouble(v -> v[1]).toArray();
      b.addSeries("seed " + r.seed(), x, smooth(y, Math.max(1, y.length / 50)));
    }
    return b.build();
  }

  /** Trailing moving average over {@code w} steps (the per-step loss is noisy). */
  static double[] smooth(double[] y, int w) {
    double[] out = new double[y.length];
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += y[i];
      if (i >= w) {
        sum -= y[i - w];
      }
      out[i] = sum / Math.min(i + 1, w);
    }
    return out;
  }

  private static CompareAggregate.Cell cell(Inputs in, String m, String task, double f) {
    for (CompareAggregate.Cell c : in.result().cells()) {
      if (c.method().equals(m) && c.task().equals(task) && c.fraction() == f) {
        return c;
      }
    }
    return null;
  }

  private static String budgetLabel(Inputs in, String task, double f) {
    for (CompareAggregate.Cell c : in.result().cells()) {
      if (c.task().equals(task) && c.fraction() == f) {
        int[] b = c.budget();
        return task.equals("density")
            ? String.format(
                Locale.ROOT, "%s (%d-%d/class)", CompareAggregate.pct(f), min(b), max(b))
            : String.format(
                Locale.ROOT, "%s (%d pos, %d neg)", CompareAggregate.pct(f), b[1], b[0]);
      }
    }
    return CompareAggregate.pct(f);
  }

  private static int min(int[] v) {
    return java.util.Arrays.stream(v).min().orElse(0);
  }

  private static int max(int[] v) {
    return java.util.Arrays.stream(v).max().orElse(0);
  }

  private static String seeds(double[] v) {
    StringBuilder s = new StringBuilder();
    for (double x : v) {
      s.append(s.length() == 0 ? "" : ", ").append(f3(x));
    }
    return s.toString();
  }

  private static String f3(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
