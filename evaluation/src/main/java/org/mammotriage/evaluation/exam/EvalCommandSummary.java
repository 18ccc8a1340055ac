package org.mammotriage.evaluation.exam;

import java.util.Locale;

/** The one-line summary the eval and demo-model commands print. */
public final class EvalCommandSummary {
  private EvalCommandSummary() {}

  public static String line(EvaluationResult r) {
    return String.format(
        Locale.ROOT,
        "%s: exam AUC %s, breast AUC %s, sens/spec at suspicious %.3f/%.3f, C-index %.3f,"
            + " 2y AUC %.3f, 5y AUC %.3f",
        r.evaluationSet(),
        r.examAuc().format(),
        r.breastAuc().format(),
        r.atSuspicious().sensitivity(),
        r.atSuspicious().specificity(),
        r.cIndex().cIndex(),
        r.aucAt(2).auc(),
        r.aucAt(5).auc());
  }
}
