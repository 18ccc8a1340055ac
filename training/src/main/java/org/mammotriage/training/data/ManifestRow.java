package org.mammotriage.training.data;

import java.util.Map;
import java.util.Objects;

/**
 * One image of the training manifest (DESIGN §6, BRIEF contract 1). Numeric fields that a source
 * does not provide are null; binary labels are 0/1, or -1 when unknown.
 *
 * @param patientId raw or pseudonymous patient key (used only to split and to group)
 * @param studyUid the study (exam)
 * @param sopUid the image
 * @param laterality {@code L} or {@code R}
 * @param view {@code CC}, {@code MLO}, or another ViewPosition
 * @param imagePath as written in the manifest (relative to the manifest's folder, or absolute)
 * @param age age in years at the exam, or null
 * @param density ACR density 1–4, or null
 * @param birads BI-RADS 0–6 of this breast, or null
 * @param mass 1 when this breast has a mass
 * @param calcification 1 when this breast has calcifications
 * @param malignant 1 when this breast has a malignancy
 * @param yearsToCancer years from the exam to diagnosis; null when no cancer was observed
 * @param yearsToLastFollowup years from the exam to the end of follow-up, or null
 * @param split {@code train}, {@code val} or {@code test}
 * @param manufacturer the modality manufacturer, may be empty
 * @param examDate ISO date, may be empty
 * @param extras further columns (race, ethnicity, image_type, procedure, reason, mass_shape, ...)
 */
public record ManifestRow(
    String patientId,
    String studyUid,
    String sopUid,
    String laterality,
    String view,
    String imagePath,
    Integer age,
    Integer density,
    Integer birads,
    int mass,
    int calcification,
    int malignant,
    Double yearsToCancer,
    Double yearsToLastFollowup,
    String split,
    String manufacturer,
    String examDate,
    Map<String, String> extras) {

  public ManifestRow {
    Objects.requireNonNull(patientId, "patientId");
    Objects.requireNonNull(studyUid, "studyUid");
    Objects.requireNonNull(laterality, "laterality");
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(imagePath, "imagePath");
    Objects.requireNonNull(split, "split");
    manufacturer = manufacturer == null ? "" : manufacturer;
    examDate = examDate == null ? "" : examDate;
    sopUid = sopUid == null ? "" : sopUid;
    extras = extras == null ? Map.of() : Map.copyOf(extras);
  }

  /** The value of an extra column, or {@code fallback} when absent or blank. */
  public String extra(String key, String fallback) {
    String v = extras.get(key);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The same row in another split (adapters assign splits after reading). */
  public ManifestRow withSplit(String newSplit) {
    return new ManifestRow(
        patientId,
        studyUid,
        sopUid,
        laterality,
        view,
        imagePath,
        age,
        density,
        birads,
        mass,
        calcification,
        malignant,
        yearsToCancer,
        yearsToLastFollowup,
        newSplit,
        manufacturer,
        examDate,
        extras);
  }

  /** Key of the breast this image shows: study + laterality. */
  public String breastKey() {
    return studyUid + "|" + laterality;
  }
}
