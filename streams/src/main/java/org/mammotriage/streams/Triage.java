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

  /**
   * Suspicious, routine, low, or incomplete (DESIGN §4, §9): incomplete when nothing is scorable or
   * when a breast has no scorable view and the breast that was seen is not suspicious. An exam with
   * a breast unseen is never {@code low} or {@code routine} on the other breast's score alone; a
   * suspicious score on the breast that was seen still routes it to {@code suspicious} (the finding
   * is read with priority, and its reasons say {@code BREAST_UNSEEN_*}).
   */
  public static Category category(ScoreResult r, ModelThresholds t) {
    if (!r.scorable() || r.suspicion() == null) {
      return Category.INCOMPLETE;
    }
    if (r.suspicion() >= t.suspicious()) {
      return Category.SUSPICIOUS;
    }
    if (!unseenBreasts(r).isEmpty()) {
      return Category.INCOMPLETE;
    }
    return r.suspicion() < t.low() ? Category.LOW : Category.ROUTINE;
  }

  /**
   * The category with the domain gate: {@link Category#OUT_OF_DOMAIN} when the verdict is out of
   * domain and the gate enforces ({@code true} or {@code header-only}); else by score.
   */
  public static Category category(
      ScoreResult r, ModelThresholds t, DomainGate.Verdict v, DomainGate.Enforce mode) {
    if (v.out() && mode != DomainGate.Enforce.FALSE) {
      return Category.OUT_OF_DOMAIN;
    }
    return category(r, t);
  }

  /** The breasts ("L", "R") of a scorable exam that have no scorable view (no probability). */
  public static List<String> unseenBreasts(ScoreResult r) {
    List<String> out = new ArrayList<>(2);
    if (r.scorable() && r.malignancyLeft() == null) {
      out.add("L");
    }
    if (r.scorable() && r.malignancyRight() == null) {
      out.add("R");
    }
    return out;
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
    for (String side : unseenBreasts(r)) {
      out.add("BREAST_UNSEEN_" + side);
    }
    out.add("CATEGORY_" + category.label().toUpperCase(java.util.Locale.ROOT));
    if (riskElevated) {
      out.add("RISK_5Y_ELEVATED");
    }
    return out;
  }
}
