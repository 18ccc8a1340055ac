package org.mammotriage.training.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.evaluation.metrics.BalancedAccuracy;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.training.pretrain.Ablation;

/**
 * The comparison's numbers from the runs' test scores: per method, task and label budget the AUC
 * averaged over seeds with a patient-level bootstrap CI, the operating point at each seed's
 * validation threshold; and per method and reference (CLIP, random-init) the paired patient-level
 * bootstrap CI of the difference of seed-mean AUCs. Every resample draws patients once and scores
 * every seed of both methods on them.
 */
public final class CompareAggregate {
  /** Binary tasks whose differences are reported. */
  public static final List<String> LESION_TASKS = List.of("mass", "calcification", "malignancy");

  /**
   * One cell of the table.
   *
   * @param budget labelled breasts per class in the budget (seed 1's draw)
   * @param seedAucs the AUC of each seed
   * @param auc the seed-mean AUC with its patient-level 95 % CI
   * @param sensitivity mean over seeds at each seed's threshold (NaN for density)
   * @param balancedAccuracy mean over seeds (threshold, or arg-max for density)
   */
  public record Cell(
      String method,
      String task,
      double fraction,
      int[] budget,
      double[] seedAucs,
      BootstrapCi.Interval auc,
      double sensitivity,
      double specificity,
      double balancedAccuracy) {}

  /** A method minus a reference on one task and budget. */
  public record Difference(
      String method,
      String reference,
      String task,
      double fraction,
      BootstrapCi.Interval difference) {}

  /** Everything the report shows. */
  public record Result(List<Cell> cells, List<Difference> differences) {}

  private CompareAggregate() {}

  public static Result of(
      List<RunScores> runs,
      List<String> methods,
      double[] fractions,
      List<String> references,
      ImageSet test,
      int resamples,
      long seed) {
    List<Cell> cells = new ArrayList<>();
    List<Difference> diffs = new ArrayList<>();
    String[] patients = test.patients();
    for (String task : CompareProtocol.TASKS) {
      int[] labels = test.labels(task);
      int[] keep = labelled(labels);
      int[] y = BootstrapCi.pick(labels, keep);
      String[] pts = new String[keep.length];
      for (int i = 0; i < keep.length; i++) {
        pts[i] = patients[keep[i]];
      }
      boolean binary = !task.equals("density");
      for (double f : fractions) {
        String key = RunScores.key(task, f);
        for (String m : methods) {
          List<RunScores> rs = runs.stream().filter(r -> r.method().equals(m)).toList();
          if (rs.isEmpty()) {
            continue;
          }
          double[][][] probs = new double[rs.size()][][];
          double[] aucs = new double[rs.size()];
          double sens = 0;
          double spec = 0;
          double bacc = 0;
          for (int s = 0; s < rs.size(); s++) {
            RunScores.Probe p = rs.get(s).probes().get(key);
            probs[s] = pickRows(p.testProbs(), keep);
            aucs[s] = metric(probs[s], y, binary);
            if (binary) {
              double[] score = Probes.column(probs[s], 1);
              double[] sp = sensSpec(score, y, p.threshold());
              sens += sp[0] / rs.size();
              spec += sp[1] / rs.size();
              bacc += BalancedAccuracy.atThreshold(score, y, p.threshold()) / rs.size();
            } else {
              bacc += BalancedAccuracy.ofArgMax(probs[s], y) / rs.size();
            }
          }
          BootstrapCi.Interval ci =
              BootstrapCi.statistic(
                  y.length,
                  pts,
                  "patient",
                  idx -> {
                    int[] yy = BootstrapCi.pick(y, idx);
                    double sum = 0;
                    for (double[][] pr : probs) {
                      sum += metric(pickRows(pr, idx), yy, binary);
                    }
                    return sum / probs.length;
                  },
                  resamples,
                  0.95,
                  seed);
          cells.add(
              new Cell(
                  m,
                  task,
                  f,
                  rs.get(0).probes().get(key).perClass(),
                  aucs,
                  ci,
                  binary ? sens : Double.NaN,
                  binary ? spec : Double.NaN,
                  bacc));
        }
        if (!binary) {
          continue;
        }
        for (String ref : references) {
          double[][] b = positiveScores(runs, ref, key, keep);
          if (b == null) {
            continue;
          }
          for (String m : methods) {
            double[][] a = positiveScores(runs, m, key, keep);
            if (m.equals(ref) || a == null) {
              continue;
            }
            diffs.add(
                new Difference(
                    m,
                    ref,
                    task,
                    f,
                    BootstrapCi.pairedDifference(
                        a, b, y, pts, "patient", Auc::of, resamples, 0.95, seed)));
          }
        }
        // ablations: the full objective minus the same method with one term switched off
        for (String m : methods) {
          String full = ablatedFrom(m);
          if (full == null || references.contains(m) || !methods.contains(full)) {
            continue;
          }
          double[][] a = positiveScores(runs, full, key, keep);
          double[][] b = positiveScores(runs, m, key, keep);
          if (a == null || b == null) {
            continue;
          }
          diffs.add(
              new Difference(
                  full,
                  m,
                  task,
                  f,
                  BootstrapCi.pairedDifference(
                      a, b, y, pts, "patient", Auc::of, resamples, 0.95, seed)));
        }
      }
    }
    return new Result(cells, diffs);
  }

  /**
   * The method an ablation variant ({@code glam-nolocal}) switches a term off in ({@code glam}), or
   * null for a method as its paper writes it and for the baselines.
   */
  static String ablatedFrom(String method) {
    if (CompareProtocol.BASELINES.contains(method)) {
      return null;
    }
    Ablation.Variant v = Ablation.parse(method);
    return v.ablation() == Ablation.NONE ? null : v.method().id();
  }

  private static double[][] positiveScores(
      List<RunScores> runs, String method, String key, int[] keep) {
    List<RunScores> rs = runs.stream().filter(r -> r.method().equals(method)).toList();
    if (rs.isEmpty()) {
      return null;
    }
    double[][] out = new double[rs.size()][];
    for (int s = 0; s < rs.size(); s++) {
      out[s] = Probes.column(pickRows(rs.get(s).probes().get(key).testProbs(), keep), 1);
    }
    return out;
  }

  private static double metric(double[][] probs, int[] y, boolean binary) {
    return binary ? Auc.of(Probes.column(probs, 1), y) : Auc.macroOneVsRest(probs, y);
  }

  private static double[][] pickRows(double[][] v, int[] idx) {
    double[][] out = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }

  private static int[] labelled(int[] labels) {
    return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] >= 0).toArray();
  }

  /** Sensitivity and specificity of "score ≥ t is positive". */
  static double[] sensSpec(double[] score, int[] y, double t) {
    int tp = 0;
    int fn = 0;
    int tn = 0;
    int fp = 0;
    for (int i = 0; i < y.length; i++) {
      boolean call = score[i] >= t;
      if (y[i] == 1) {
        tp += call ? 1 : 0;
        fn += call ? 0 : 1;
      } else {
        fp += call ? 1 : 0;
        tn += call ? 0 : 1;
      }
    }
    return new double[] {(double) tp / Math.max(1, tp + fn), (double) tn / Math.max(1, tn + fp)};
  }

  /** "0.812 [0.750, 0.871]". */
  static String format(BootstrapCi.Interval i) {
    return i.format();
  }

  static String pct(double f) {
    return String.format(Locale.ROOT, "%.0f%%", f * 100);
  }
}
