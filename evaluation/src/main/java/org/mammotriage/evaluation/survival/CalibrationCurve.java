package org.mammotriage.evaluation.survival;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Reliability curve: predictions sorted into equal-count bins, mean predicted probability against
 * the observed rate in each, plus the expected calibration error (count-weighted mean |predicted -
 * observed|).
 */
public final class CalibrationCurve {
  private CalibrationCurve() {}

  public record Bin(double meanPredicted, double observedRate, int count) {}

  public record Result(List<Bin> bins, double expectedCalibrationError) {}

  public static Result compute(double[] predicted, boolean[] observed, int binCount) {
    int n = predicted.length;
    if (n == 0) {
      return new Result(List.of(), Double.NaN);
    }
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> predicted[i]));
    int bins = Math.min(binCount, n);
    List<Bin> out = new ArrayList<>();
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      int from = (int) ((long) b * n / bins);
      int to = (int) ((long) (b + 1) * n / bins);
      double sumP = 0;
      int events = 0;
      for (int k = from; k < to; k++) {
        sumP += predicted[order[k]];
        events += observed[order[k]] ? 1 : 0;
      }
      int count = to - from;
      Bin bin = new Bin(sumP / count, (double) events / count, count);
      out.add(bin);
      ece += count * Math.abs(bin.meanPredicted() - bin.observedRate());
    }
    return new Result(out, ece / n);
  }
}
