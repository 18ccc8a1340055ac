package org.mammotriage.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the VinDr-Mammo layout: {@code breast-level_annotations.csv} ({@code study_id, series_id,
 * image_id, laterality, view_position, height, width, breast_birads, breast_density, split}) and
 * {@code finding_annotations.csv} (one row per finding box, {@code finding_categories} like {@code
 * ['Mass']} or {@code ['Suspicious Calcification']}); images at {@code
 * images/<study_id>/<image_id>.dicom}.
 *
 * <p>VinDr has one exam per patient and no patient key, so the study is the patient. Its {@code
 * test} split is kept; {@code training} is divided into train/val by patient. VinDr has no
 * pathology: {@code malignant} is unknown (empty), not guessed from BI-RADS; age is not in the
 * tables either.
 */
public final class VindrAdapter {
  static final List<String> BREAST_REQUIRED =
      List.of(
          "study_id",
          "image_id",
          "laterality",
          "view_position",
          "breast_birads",
          "breast_density",
          "split");
  static final List<String> FINDING_REQUIRED =
      List.of("study_id", "image_id", "laterality", "finding_categories");

  private VindrAdapter() {}

  public static List<ManifestRow> read(
      Path breastLevelCsv, Path findingCsv, PatientSplitter splitter) {
    Csv.Table breast = Csv.read(breastLevelCsv);
    breast.requireColumns(BREAST_REQUIRED, "VinDr-Mammo breast-level annotations");
    Csv.Table findings = Csv.read(findingCsv);
    findings.requireColumns(FINDING_REQUIRED, "VinDr-Mammo finding annotations");
    Set<String> massBreasts = new HashSet<>();
    Set<String> calcBreasts = new HashSet<>();
    for (Map<String, String> f : findings.rows()) {
      String key = f.get("study_id") + "|" + f.get("laterality").toUpperCase(Locale.ROOT);
      String cats = f.get("finding_categories").toLowerCase(Locale.ROOT);
      if (cats.contains("mass")) {
        massBreasts.add(key);
      }
      if (cats.contains("calcification")) {
        calcBreasts.add(key);
      }
    }
    List<ManifestRow> out = new ArrayList<>();
    for (int i = 0; i < breast.rows().size(); i++) {
      Map<String, String> b = breast.rows().get(i);
      String study = b.get("study_id");
      String lat = b.get("laterality").toUpperCase(Locale.ROOT);
      String key = study + "|" + lat;
      String split =
          b.get("split").toLowerCase(Locale.ROOT).startsWith("test")
              ? "test"
              : splitter.trainOrVal(study);
      Map<String, String> extras = new HashMap<>();
      extras.put("image_type", "2D");
      extras.put("reason", "screening");
      try {
        out.add(
            new ManifestRow(
                study,
                study,
                b.get("image_id"),
                lat,
                b.get("view_position").toUpperCase(Locale.ROOT),
                "images/" + study + "/" + b.get("image_id") + ".dicom",
                null,
                density(b.get("breast_density")),
                birads(b.get("breast_birads")),
                massBreasts.contains(key) ? 1 : 0,
                calcBreasts.contains(key) ? 1 : 0,
                -1,
                null,
                null,
                split,
                "",
                "",
                extras));
      } catch (DataException e) {
        throw new DataException(
            breastLevelCsv + " line " + breast.lineNumbers().get(i) + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** {@code "DENSITY C"} → 3. */
  static Integer density(String v) {
    String s = v.trim().toUpperCase(Locale.ROOT).replace("DENSITY", "").trim();
    if (s.isEmpty()) {
      return null;
    }
    if (s.length() == 1 && s.charAt(0) >= 'A' && s.charAt(0) <= 'D') {
      return s.charAt(0) - 'A' + 1;
    }
    throw new DataException("breast_density must be DENSITY A-D, got '" + v + "'");
  }

  /** {@code "BI-RADS 4"} → 4 (4A/4B/4C → 4). */
  static Integer birads(String v) {
    String s = v.trim().toUpperCase(Locale.ROOT).replace("BI-RADS", "").trim();
    if (s.isEmpty()) {
      return null;
    }
    char c = s.charAt(0);
    if (c >= '0' && c <= '6') {
      return c - '0';
    }
    throw new DataException("breast_birads must be BI-RADS 0-6, got '" + v + "'");
  }
}
