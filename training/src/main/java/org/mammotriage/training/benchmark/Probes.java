package org.mammotriage.training.benchmark;

import java.util.List;
import java.util.Random;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.training.pretrain.LinearProbe;

/**
 * One linear probe of the protocol: trained on a label budget of the train split, its L2 strength
 * chosen by AUC on the model-selection half of the validation split, its operating threshold
 * (binary tasks: Youden's J) chosen on the other half, then applied to the test images.
 */
final class Probes {
  /** The regularisation strengths tried; the selection half picks one. */
  static final double[] L2_GRID = {1e-4, 1e-3, 1e-2};

  static final int ITERATIONS = 200;

  private Probes() {}

  /**
   * @param testProbs class probabilities of every test image
   * @param perClass labelled breasts per class in the budget
   */
  record Outcome(
      double[][] testProbs, double l2, double selectionAuc, double threshold, int[] perClass) {}

  /** Embeddings of the four image sets a probe uses. */
  record Embedded(float[][] train, float[][] selection, float[][] threshold, float[][] test) {}

  static Outcome run(
      Embedded z,
      ImageSet train,
      ImageSet selection,
      ImageSet threshold,
      String task,
      int classes,
      double fraction,
      int minPerClass,
      long seed) {
    LabelBudget.Subset budget =
        LabelBudget.sample(train, task, classes, fraction, minPerClass, new Random(seed));
    List<Integer> chosen = budget.images();
    float[][] x = new float[chosen.size()][];
    int[] y = new int[chosen.size()];
    for (int i = 0; i < chosen.size(); i++) {
      x[i] = z.train()[chosen.get(i)];
      y[i] = train.breasts().get(chosen.get(i)).label(task);
    }
    int[] ySel = selection.labels(task);
    LinearProbe best = null;
    double bestL2 = Double.NaN;
    double bestAuc = Double.NEGATIVE_INFINITY;
    for (double l2 : L2_GRID) {
      LinearProbe p = LinearProbe.fit(x, y, classes, l2, ITERATIONS);
      double auc = auc(predict(p, z.selection()), ySel, classes);
      if (best == null || auc > bestAuc || (Double.isNaN(bestAuc) && !Double.isNaN(auc))) {
        best = p;
        bestL2 = l2;
        bestAuc = auc;
      }
    }
    double t = Double.NaN;
    if (classes == 2) {
      t = youden(column(predict(best, z.threshold()), 1), threshold.labels(task));
    }
    return new Outcome(predict(best, z.test()), bestL2, bestAuc, t, budget.perClass());
  }

  static double[][] predict(LinearProbe p, float[][] z) {
    double[][] out = new double[z.length][];
    for (int i = 0; i < z.length; i++) {
      out[i] = p.predict(z[i]);
    }
    return out;
  }

  /** AUC of the positive class (binary) or macro one-vs-rest (more classes), labelled only. */
  static double auc(double[][] probs, int[] labels, int classes) {
    int n = 0;
    for (int l : labels) {
      n += l >= 0 ? 1 : 0;
    }
    double[][] p = new double[n][];
    int[] y = new int[n];
    int k = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 0) {
        p[k] = probs[i];
        y[k++] = labels[i];
      }
    }
    return classes == 2 ? Auc.of(column(p, 1), y) : Auc.macroOneVsRest(p, y);
  }

  static double[] column(double[][] p, int c) {
    double[] out = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = p[i][c];
    }
    return out;
  }

  /**
   * The threshold maximising sensitivity + specificity − 1 (a score ≥ t is called positive), midway
   * between neighbouring scores; NaN without both classes.
   */
  static double youden(double[] scores, int[] labels) {
    int pos = 0;
    int neg = 0;
    for (int l : labels) {
      pos += l == 1 ? 1 : 0;
      neg += l == 0 ? 1 : 0;
    }
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    double bestJ = -1;
    double best = Double.POSITIVE_INFINITY;
    int tp = 0;
    int fp = 0;
    for (int i = 0; i < order.length; i++) {
      int l = labels[order[i]];
      tp += l == 1 ? 1 : 0;
      fp += l == 0 ? 1 : 0;
      boolean lastOfTie = i + 1 == order.length || scores[order[i + 1]] != scores[order[i]];
      if (!lastOfTie) {
        continue;
      }
      double j = (double) tp / pos - (double) fp / neg;
      if (j > bestJ) {
        bestJ = j;
        double next = i + 1 < order.length ? scores[order[i + 1]] : scores[order[i]] - 1e-9;
        best = (scores[order[i]] + next) / 2;
      }
    }
    return best;
  }
}
