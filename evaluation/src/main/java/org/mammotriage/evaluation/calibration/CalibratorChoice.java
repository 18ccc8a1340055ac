package org.mammotriage.evaluation.calibration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.mammotriage.contract.Calibration;

/**
 * Chooses between Platt scaling and isotonic regression on the calibration set itself by
 * patient-grouped k-fold cross-validation: each method is fitted on k−1 folds and scored on the
 * held-out fold; the method with the lower out-of-fold Brier score wins, Platt on a tie (fewer
 * parameters, strictly increasing so no ties between exams). The winner is then refitted on the
 * whole set. Brier, not log-loss, because isotonic steps at 0 or 1 make log-loss infinite.
 */
public final class CalibratorChoice {
  private CalibratorChoice() {}

  /** The refitted winner and the out-of-fold Brier scores that chose it. */
  public record Choice(
      Calibration calibration, double plattBrier, double isotonicBrier, int folds, String rule) {}

  public static Choice choose(
      double[] p, boolean[] y, String[] patients, int folds, long seed, String fittedOn) {
    int[] fold = folds(patients, folds, seed);
    double[] oofPlatt = new double[p.length];
    double[] oofIso = new double[p.length];
    for (int f = 0; f < folds; f++) {
      List<Integer> train = new ArrayList<>();
      List<Integer> held = new ArrayList<>();
      for (int i = 0; i < p.length; i++) {
        (fold[i] == f ? held : train).add(i);
      }
      if (held.isEmpty()) {
        continue;
      }
      double[] tp = train.stream().mapToDouble(i -> p[i]).toArray();
      boolean[] ty = new boolean[train.size()];
      for (int k = 0; k < ty.length; k++) {
        ty[k] = y[train.get(k)];
      }
      Calibration platt = PlattScaling.fit(tp, ty, "fold", "");
      Calibration iso = IsotonicRegression.fit(tp, ty, "fold", "");
      for (int i : held) {
        oofPlatt[i] = platt.apply(p[i]);
        oofIso[i] = iso.apply(p[i]);
      }
    }
    double bp = CalibrationMetrics.brier(oofPlatt, y);
    double bi = CalibrationMetrics.brier(oofIso, y);
    boolean isotonic = bi < bp;
    String rule =
        String.format(
            Locale.ROOT,
            "%d-fold cross-validation by patient on the calibration set: out-of-fold Brier %.5f"
                + " (Platt) vs %.5f (isotonic); the lower wins, Platt on a tie; refitted on the"
                + " whole set",
            folds,
            bp,
            bi);
    Calibration chosen =
        isotonic
            ? IsotonicRegression.fit(p, y, fittedOn, rule)
            : PlattScaling.fit(p, y, fittedOn, rule);
    return new Choice(chosen, bp, bi, folds, rule);
  }

  /** Fold of each sample: the patients shuffled (seeded) and dealt round-robin. */
  static int[] folds(String[] patients, int folds, long seed) {
    List<String> ids = new ArrayList<>(new TreeSet<>(List.of(patients)));
    Collections.shuffle(ids, new Random(seed));
    Map<String, Integer> of = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      of.put(ids.get(i), i % folds);
    }
    int[] out = new int[patients.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = of.get(patients[i]);
    }
    return out;
  }
}
