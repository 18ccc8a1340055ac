package org.mammotriage.streams;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mammotriage.contract.domain.ValidatedDomain;
import org.mammotriage.schemas.avro.SlotEncoding;
import org.mammotriage.schemas.avro.SlotImage;

/**
 * The domain verdict of a released exam (issue 20, DESIGN §5): each slotted image's header against
 * the model's validated domain ({@link ValidatedDomain#headerReasons}), its model-input statistics
 * ({@link ValidatedDomain#imageReasons}) and its OOD score (computed when the view was encoded,
 * against {@code domain.ood}). Reason codes: the header and statistics codes once per exam, {@code
 * OOD_EMBEDDING_<slot>} per view above the threshold; a slot encoded without an OOD score by a
 * model with a reference (should not happen) counts as {@code OOD_NOT_MEASURED_<slot>}.
 */
public final class DomainGate {
  static final String IN_DOMAIN = "IN_DOMAIN";
  static final String OUT_OF_DOMAIN = "OUT_OF_DOMAIN";
  static final String NOT_CHECKED = "NOT_CHECKED";

  /** {@code triage.domain.enforce}. */
  public enum Enforce {
    /** Out-of-domain exams go to their own category and topic. */
    TRUE,
    /** The verdict is computed and written; routing is by score. */
    FALSE,
    /** Only the header checks count (and route). */
    HEADER_ONLY;

    static Enforce parse(String v) {
      return switch (v == null ? "true" : v.trim().toLowerCase(Locale.ROOT)) {
        case "true" -> TRUE;
        case "false" -> FALSE;
        case "header-only" -> HEADER_ONLY;
        default ->
            throw new IllegalArgumentException(
                "triage.domain.enforce must be true, false or header-only, got '" + v + "'");
      };
    }
  }

  /**
   * @param verdict {@link #IN_DOMAIN}, {@link #OUT_OF_DOMAIN} or {@link #NOT_CHECKED}
   * @param reasons what failed, in slot order, each once
   */
  public record Verdict(String verdict, List<String> reasons) {
    static final Verdict NOT = new Verdict(NOT_CHECKED, List.of());

    boolean out() {
      return OUT_OF_DOMAIN.equals(verdict);
    }
  }

  private DomainGate() {}

  static Verdict check(List<SlotImage> slots, ValidatedDomain d, Enforce mode) {
    if (d == null || slots.isEmpty()) {
      return Verdict.NOT;
    }
    Set<String> reasons = new LinkedHashSet<>();
    List<String> ood = new ArrayList<>();
    for (SlotImage s : slots) {
      if (s.getOriginalRows() != null || s.getManufacturer() != null) {
        reasons.addAll(
            d.headerReasons(
                s.getManufacturer(),
                s.getManufacturerModel(),
                s.getPresentationIntent(),
                s.getPixelSpacingMm(),
                s.getOriginalRows() == null ? 0 : s.getOriginalRows(),
                s.getOriginalColumns() == null ? 0 : s.getOriginalColumns()));
      } else {
        reasons.add("HEADER_NOT_RECORDED");
      }
      if (mode == Enforce.HEADER_ONLY) {
        continue;
      }
      SlotEncoding e = s.getEncoding();
      if (e == null) {
        continue; // contract 1 or not encoded: the exam is unscorable or scored from pixels
      }
      if (e.getInputMean() != null && e.getInputStd() != null) {
        reasons.addAll(d.imageReasons(e.getInputMean(), e.getInputStd()));
      }
      if (d.ood() != null) {
        if (e.getOodScore() == null) {
          ood.add("OOD_NOT_MEASURED_" + s.getSlot());
        } else if (d.ood().outOfDomain(e.getOodScore())) {
          ood.add("OOD_EMBEDDING_" + s.getSlot());
        }
      }
    }
    reasons.addAll(ood);
    List<String> out = List.copyOf(reasons);
    return new Verdict(out.isEmpty() ? IN_DOMAIN : OUT_OF_DOMAIN, out);
  }
}
