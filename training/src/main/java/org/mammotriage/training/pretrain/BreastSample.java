package org.mammotriage.training.pretrain;

import java.nio.file.Path;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.report.ReportFacts;

/**
 * One breast of one exam for pretraining: its CC and MLO images (either may be null when the exam
 * lacks it) and the row its report and labels come from.
 */
public record BreastSample(
    String key, String patientId, String split, Path cc, Path mlo, ManifestRow row) {

  public boolean bothViews() {
    return cc != null && mlo != null;
  }

  public ReportFacts facts() {
    return ReportFacts.of(row);
  }

  /** Binary label of a task as -1 (unknown), 0 or 1; density as 0..3 or -1. */
  public int label(String task) {
    return switch (task) {
      case "mass" -> row.mass();
      case "calcification" -> row.calcification();
      case "malignancy" -> row.malignant();
      case "density" -> row.density() == null ? -1 : row.density() - 1;
      default -> throw new IllegalArgumentException("unknown task " + task);
    };
  }
}
