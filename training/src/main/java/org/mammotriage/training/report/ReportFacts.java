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

  /** The breast-level facts of an image row; both views of a breast share one report (MV-MLM). */
  public static ReportFacts of(ManifestRow row) {
    return new ReportFacts(
        row.extra("procedure", "screening mammography"),
        row.extra("reason", "screening"),
        row.extra("race", ""),
        row.extra("ethnicity", ""),
        row.age(),
        row.extra("image_type", "2D"),
        row.laterality().toUpperCase(Locale.ROOT).equals("L") ? "left" : "right",
        "craniocaudal and mediolateral oblique",
        row.density(),
        row.birads(),
        row.mass(),
        row.extra("mass_shape", ""),
        row.extra("mass_margin", ""),
        row.calcification(),
        row.extra("calc_distribution", ""));
  }
}
