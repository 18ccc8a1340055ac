package org.mammotriage.training.pretrain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;

/**
 * Writes embedding evaluations of one or more pretrained models as {@code embeddings.json} and
 * {@code embeddings.html} (a table method × task × label fraction and one bar chart per task with
 * the 95% CIs), and formats the same table for the console.
 */
public final class EmbeddingReport {
  public static final String JSON_FILE = "embeddings.json";
  public static final String HTML_FILE = "embeddings.html";
  static final List<String> COLUMNS = List.of("zero-shot", "probe 1%", "probe 10%", "probe 100%");

  private EmbeddingReport() {}

  /** The cells of one task in column order. */
  static List<EmbeddingEvaluator.Metric> cells(EmbeddingEvaluator.Result r, String task) {
    List<EmbeddingEvaluator.Metric> out = new ArrayList<>();
    out.add(r.find(task, "zero-shot", 0));
    for (double f : EmbeddingEvaluator.FRACTIONS) {
      out.add(r.find(task, "linear-probe", f));
    }
    return out;
  }

  /** The comparison table: one row per (task, method), AUC [CI] / balanced accuracy per column. */
  public static String table(List<EmbeddingEvaluator.Result> results) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-14s %-8s", "task", "method"));
    for (String c : COLUMNS) {
      b.append(String.format(Locale.ROOT, " | %-29s", c + " AUC [95% CI] / BA"));
    }
    b.append('\n');
    for (String task : EmbeddingEvaluator.TASKS) {
      for (EmbeddingEvaluator.Result r : results) {
        b.append(String.format(Locale.ROOT, "%-14s %-8s", task, r.method()));
        for (EmbeddingEvaluator.Metric m : cells(r, task)) {
          b.append(
              String.format(Locale.ROOT, " | %-22s %.3f", m.auc().format(), m.balancedAccuracy()));
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  public static void write(List<EmbeddingEvaluator.Result> results, String notice, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    ObjectNode root = PretrainedModel.JSON.createObjectNode();
    root.put("notice", notice);
    ArrayNode models = root.putArray("models");
    for (EmbeddingEvaluator.Result r : results) {
      ObjectNode m = models.addObject();
      m.put("model", r.model());
      m.put("method", r.method());
      m.put("train_images", r.trainImages());
      m.put("test_images", r.testImages());
      m.put("seconds", r.seconds());
      ArrayNode ms = m.putArray("metrics");
      for (EmbeddingEvaluator.Metric x : r.metrics()) {
        ObjectNode o = ms.addObject();
        o.put("task", x.task());
        o.put("mode", x.mode());
        o.put("label_fraction", x.fraction());
        o.put("train_samples", x.trainSamples());
        o.put("test_samples", x.testSamples());
        o.put("auc", x.auc().estimate());
        o.put("auc_ci_low", x.auc().lower());
        o.put("auc_ci_high", x.auc().upper());
        o.put("balanced_accuracy", x.balancedAccuracy());
      }
    }
    PretrainedModel.JSON.writeValue(dir.resolve(JSON_FILE).toFile(), root);

    HtmlReport h = new HtmlReport("Pretrained embeddings: zero-shot and linear probes");
    h.notice(notice);
    h.paragraph(
        "Per image (CC and MLO of every breast) on the test split. Zero-shot: the image's own"
            + " unmasked report prefix plus one class sentence per class. Linear probes: class-weighted"
            + " logistic regression on frozen embeddings trained on 1%, 10% and 100% of the training"
            + " labels (stratified, at least one image per class). AUC is macro one-vs-rest for"
            + " density; brackets are percentile-bootstrap 95% CIs ("
            + EmbeddingEvaluator.RESAMPLES
            + " resamples of whole patients: a woman's images are not independent); BA is"
            + " balanced accuracy.");
    List<String> header = new ArrayList<>(List.of("task", "method", "model"));
    for (String c : COLUMNS) {
      header.add(c + " AUC");
      header.add(c + " BA");
    }
    List<List<?>> rows = new ArrayList<>();
    for (String task : EmbeddingEvaluator.TASKS) {
      for (EmbeddingEvaluator.Result r : results) {
        List<Object> row = new ArrayList<>(List.of(task, r.method(), r.model()));
        for (EmbeddingEvaluator.Metric m : cells(r, task)) {
          row.add(m.auc().format());
          row.add(String.format(Locale.ROOT, "%.3f", m.balancedAccuracy()));
        }
        rows.add(row);
      }
    }
    h.table(header, rows);
    for (String task : EmbeddingEvaluator.TASKS) {
      SvgPlot.BarBuilder bars =
          SvgPlot.bars()
              .setTitle(task + ": AUC by label fraction")
              .setCategories(COLUMNS)
              .optYLabel("AUC")
              .optYRange(0, 1);
      for (EmbeddingEvaluator.Result r : results) {
        List<EmbeddingEvaluator.Metric> c = cells(r, task);
        bars.addSeries(
            r.method(),
            c.stream().mapToDouble(m -> m.auc().estimate()).toArray(),
            c.stream().mapToDouble(m -> m.auc().lower()).toArray(),
            c.stream().mapToDouble(m -> m.auc().upper()).toArray());
      }
      h.chart(bars.build());
    }
    h.write(dir.resolve(HTML_FILE));
  }
}
