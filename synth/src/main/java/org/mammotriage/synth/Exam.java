package org.mammotriage.synth;

import java.time.LocalDate;

/** One screening exam (a study): four standard views of two breasts. */
public record Exam(
    int index,
    String studyUid,
    String accession,
    LocalDate date,
    int ageYears,
    Breast left,
    Breast right,
    String split) {

  public Breast breast(char laterality) {
    return laterality == 'L' ? left : right;
  }
}
