package org.mammotriage.training.report;

import java.util.Locale;
import org.mammotriage.training.data.ManifestRow;

/**
 * What a report says about one breast, taken from the tabular data. Unknown values are null or
 * empty strings; the template writes "unknown" for them.
 *
 * @param side {@code left} or {@code right}
 * @param views the view phrase, e.g. {@code craniocaudal and mediolateral oblique}
 */
public record ReportFacts(
    String procedure,
    String reason,
    String race,
    String ethnicity,
    Integer age,
    String imageType,
    String side,
    String views,
    Integer density,
    Integer birads,
    int mass,
    String massShape,
    String massMargin,
    int calcification,
    String calcDistribution) {

  /**
   * The breast-level facts of an image row; both views of a breast share one report (MV-MLM). When
   * the manifest carries what a reader wrote ({@code report_mass}, {@code report_calcification},
   * {@code report_birads}, {@code report_density}: synthetic benchmark v2, or a site's own report
   * fields), the report says that, not the truth columns the probes are scored on; a blank reader
   * field is a missing section ("unknown").
   */
  public static ReportFacts of(ManifestRow row) {
    if (row.extras().containsKey("report_mass")) {
      return new ReportFacts(
          row.extra("procedure", "screening mammography"),
          row.extra("reason", "screening"),
          row.extra("race", ""),
          row.extra("ethnicity", ""),
          row.age(),
          row.extra("image_type", "2D"),
          side(row),
          "craniocaudal and mediolateral oblique",
          integer(row.extra("report_density", "")),
          integer(row.extra("report_birads", "")),
          flag(row.extra("report_mass", "")),
          row.extra("mass_shape", ""),
          row.extra("mass_margin", ""),
          flag(row.extra("report_calcification", "")),
          row.extra("calc_distribution", ""));
    }
    return new ReportFacts(
        row.extra("procedure", "screening mammography"),
        row.extra("reason", "screening"),
        row.extra("race", ""),
        row.extra("ethnicity", ""),
        row.age(),
        row.extra("image_type", "2D"),
        side(row),
        "craniocaudal and mediolateral oblique",
        row.density(),
        row.birads(),
        row.mass(),
        row.extra("mass_shape", ""),
        row.extra("mass_margin", ""),
        row.calcification(),
        row.extra("calc_distribution", ""));
  }

  private static String side(ManifestRow row) {
    return row.laterality().toUpperCase(Locale.ROOT).equals("L") ? "left" : "right";
  }

  private static Integer integer(String v) {
    return v.isBlank() ? null : Integer.valueOf(v.trim());
  }

  /** 1, 0, or -1 (unknown: blank or -1). */
  private static int flag(String v) {
    return v.isBlank() ? -1 : Integer.parseInt(v.trim());
  }
}
