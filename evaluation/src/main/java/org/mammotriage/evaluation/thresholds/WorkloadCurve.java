package org.mammotriage.evaluation.thresholds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What triaging exams as {@code low} costs: for each candidate threshold, the share of exams below
 * it (workload taken off readers) against the share of cancers below it (cancers that would be read
 * later).
 */
public final class WorkloadCurve {
  private WorkloadCurve() {}

  public record Point(double threshold, double workloadShareLow, double cancersMissedShare) {}

  public static List<Point> compute(double[] scores, boolean[] cancer) {
    double[] thresholds = Arrays.stream(scores).distinct().sorted().toArray();
    int cancers = 0;
    for (boolean c : cancer) {
      cancers += c ? 1 : 0;
    }
    List<Point> out = new ArrayList<>();
    out.add(new Point(0, 0, 0));
    for (double t : thresholds) {
      int below = 0;
      int missed = 0;
      for (int i = 0; i < scores.length; i++) {
        if (scores[i] < t) {
          below++;
          missed += cancer[i] ? 1 : 0;
        }
      }
      out.add(
          new Point(
              t,
              (double) below / scores.length,
              cancers == 0 ? Double.NaN : (double) missed / cancers));
    }
    return out;
  }
}
