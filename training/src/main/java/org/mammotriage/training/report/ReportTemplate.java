package org.mammotriage.training.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The structured mammography report of MaMA (appendix A.11), one per breast as in MV-MLM:
 * procedure, reason, patient info, image info, breast composition, findings, impressions, overall
 * assessment. The phrases are public so zero-shot prompts reuse exactly the words the model was
 * trained on.
 */
public final class ReportTemplate {
  public static final String UNKNOWN = "unknown";

  private ReportTemplate() {}

  /** The report as one string of sentences. */
  public static String render(ReportFacts f, MetaMasking masking) {
    return String.join(" ", sections(f, masking));
  }

  /** The eight sections in order (findings may hold several sentences). */
  public static List<String> sections(ReportFacts f, MetaMasking masking) {
    boolean[] m = masking.draw();
    List<String> s = new ArrayList<>(8);
    s.addAll(metaSections(f, m));
    s.add(composition(f.density()));
    s.add(findings(f));
    s.add(impression(f.birads()));
    s.add("Overall Assessment: " + biradsDescription(f.birads()) + ".");
    return s;
  }

  /** Sections 1–4 (procedure, reason, patient and image info), unmasked: the zero-shot prefix. */
  public static String metaPrefix(ReportFacts f) {
    return String.join(" ", metaSections(f, new boolean[MetaMasking.Field.values().length]));
  }

  private static List<String> metaSections(ReportFacts f, boolean[] m) {
    return List.of(
        "Procedure reported: " + orUnknown(f.procedure()) + ".",
        "Reason for procedure: " + orUnknown(f.reason()) + ".",
        "Patient info: This patient is "
            + mask(m, MetaMasking.Field.RACE, f.race())
            + ", "
            + mask(m, MetaMasking.Field.ETHNICITY, f.ethnicity())
            + ", and "
            + mask(m, MetaMasking.Field.AGE, f.age() == null ? "" : f.age().toString())
            + " years old.",
        "Image info: This is a "
            + mask(m, MetaMasking.Field.IMAGE_TYPE, f.imageType())
            + " full-field digital mammogram of the "
            + mask(m, MetaMasking.Field.SIDE, f.side())
            + " breast with "
            + mask(m, MetaMasking.Field.VIEW, f.views())
            + " view.");
  }

  /** "Breast composition: The breast is ...". */
  public static String composition(Integer density) {
    return "Breast composition: The breast is " + densityDescription(density) + ".";
  }

  /** Findings section: mass sentence, optional mass description, calcification sentence. */
  public static String findings(ReportFacts f) {
    StringBuilder b = new StringBuilder("Findings: ").append(massSentence(f.mass()));
    if (f.mass() == 1 && !(f.massShape().isBlank() && f.massMargin().isBlank())) {
      b.append(" The mass is ")
          .append(orUnknown(f.massShape()))
          .append(" and ")
          .append(orUnknown(f.massMargin()))
          .append('.');
    }
    b.append(' ').append(calcificationSentence(f.calcification(), f.calcDistribution()));
    return b.toString();
  }

  /** The mass sentence for 1 (present), 0 (absent) or -1 (not recorded). */
  public static String massSentence(int mass) {
    return switch (mass) {
      case 1 -> "The mammogram shows that there is a mass.";
      case 0 -> "The mammogram shows that there is no mass.";
      default -> "The mammogram shows that mass is unknown.";
    };
  }

  /** The calcification sentence; {@code distribution} may be empty. */
  public static String calcificationSentence(int calcification, String distribution) {
    return switch (calcification) {
      case 1 ->
          distribution == null || distribution.isBlank()
              ? "A calcification is present."
              : "A " + distribution + " calcification is present.";
      case 0 -> "No calcification is present.";
      default -> "Calcification is unknown.";
    };
  }

  /** "Impressions: BI-RADS Category n: description.". */
  public static String impression(Integer birads) {
    return "Impressions: BI-RADS Category "
        + (birads == null ? UNKNOWN : birads.toString())
        + ": "
        + biradsDescription(birads)
        + ".";
  }

  /** ACR density wording for 1–4. */
  public static String densityDescription(Integer density) {
    if (density == null) {
      return "of unknown density";
    }
    return switch (density) {
      case 1 -> "almost entirely fatty";
      case 2 -> "scattered areas of fibroglandular density";
      case 3 -> "heterogeneously dense, which may obscure small masses";
      case 4 -> "extremely dense, which lowers the sensitivity of mammography";
      default -> throw new IllegalArgumentException("density must be 1-4, got " + density);
    };
  }

  /** BI-RADS assessment wording for 0–6. */
  public static String biradsDescription(Integer birads) {
    if (birads == null) {
      return UNKNOWN;
    }
    return switch (birads) {
      case 0 -> "incomplete, need additional imaging evaluation";
      case 1 -> "negative";
      case 2 -> "benign";
      case 3 -> "probably benign";
      case 4 -> "suspicious";
      case 5 -> "highly suggestive of malignancy";
      case 6 -> "known biopsy-proven malignancy";
      default -> throw new IllegalArgumentException("BI-RADS must be 0-6, got " + birads);
    };
  }

  private static String mask(boolean[] m, MetaMasking.Field f, String value) {
    return m[f.ordinal()] ? UNKNOWN : orUnknown(value);
  }

  private static String orUnknown(String v) {
    return v == null || v.isBlank() ? UNKNOWN : v;
  }
}
