package org.mammotriage.streams;

import java.util.ArrayList;
import java.util.List;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.scoring.ScoreResult;

/** The routing rule (DESIGN §4), a pure function of a score and the thresholds in force. */
public final class Triage {
  private Triage() {}

  /**
   * Thresholds in force: the model's, each replaced by its configured override when there is one.
   */
  public static ModelThresholds thresholds(ModelThresholds model, TriageSettings s) {
    boolean any =
        s.suspiciousOverride() != null || s.lowOverride() != null || s.risk5yOverride() != null;
    return new ModelThresholds(
        s.suspiciousOverride() != null ? s.suspiciousOverride() : model.suspicious(),
        s.lowOverride() != null ? s.lowOverride() : model.low(),
        s.risk5yOverride() != null ? s.risk5yOverride() : model.risk5y(),
        any ? "config" : "manifest");
  }

  /** Suspicious, routine, low, or incomplete (nothing scorable). */
  public static Category category(ScoreResult r, ModelThresholds t) {
    if (!r.scorable() || r.suspicion() == null) {
      return Category.INCOMPLETE;
    }
    if (r.suspicion() >= t.suspicious()) {
      return Category.SUSPICIOUS;
    }
    return r.suspicion() < t.low() ? Category.LOW : Category.ROUTINE;
  }

  public static boolean riskElevated(ScoreResult r, ModelThresholds t) {
    return r.scorable() && r.risk() != null && r.risk().length >= 5 && r.risk()[4] >= t.risk5y();
  }

  /**
   * Why the exam is routed as it is: missing slots, partial release, amendments, unscorable reason.
   */
  public static List<String> reasons(
      List<String> missing,
      boolean partial,
      int version,
      ScoreResult r,
      Category category,
      boolean riskElevated) {
    List<String> out = new ArrayList<>();
    for (String m : missing) {
      out.add("MISSING_" + m);
    }
    if (partial) {
      out.add("PARTIAL_QUIET_PERIOD");
    }
    if (missing.stream().filter(m -> m.startsWith("L_")).count() == 2
            && missing.stream().filter(m -> m.startsWith("R_")).count() < 2
        || missing.stream().filter(m -> m.startsWith("R_")).count() == 2
            && missing.stream().filter(m -> m.startsWith("L_")).count() < 2) {
      out.add("UNILATERAL");
    }
    if (version > 1) {
      out.add("AMENDED_VERSION_" + version);
    }
    if (!r.scorable()) {
      out.add("UNSCORABLE_" + r.unscorableReason());
    }
    out.add("CATEGORY_" + category.label().toUpperCase(java.util.Locale.ROOT));
    if (riskElevated) {
      out.add("RISK_5Y_ELEVATED");
    }
    return out;
  }
}
