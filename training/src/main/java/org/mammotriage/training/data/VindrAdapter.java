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
 * Reads the VinDr-Mammo layout (PhysioNet release 1.0.0): {@code breast-level_annotations.csv}
 * ({@code study_id, series_id, image_id, laterality, view_position, height, width, breast_birads,
 * breast_density, split}) and {@code finding_annotations.csv} (one row per finding box: {@code
 * image_id, study_id, series_id, laterality, view_position, height, width, breast_birads,
 * breast_density, finding_categories, finding_birads, xmin, ymin, xmax, ymax, split}; {@code
 * finding_categories} like {@code ['Mass']} or {@code ['Mass', 'Suspicious Calcification']}, {@code
 * ['No Finding']} without a box); images at {@code images/<study_id>/<image_id>.dicom}.
 *
 * <p>Findings are per image, as annotated: {@code mass} and {@code calcification} are those of the
 * image's own boxes (a lesion seen on the MLO only is not put on the CC), and the boxes are kept in
 * the {@code findings} extra for ROI methods: {@code category|finding BI-RADS|xmin,ymin,xmax,ymax}
 * in the original pixel grid ({@code height}×{@code width}), findings separated by {@code ;}. A
 * finding row of an image that is not in the breast-level table is an error.
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
    Set<String> massImages = new HashSet<>();
    Set<String> calcImages = new HashSet<>();
    Map<String, List<String>> boxes = new HashMap<>();
    Set<String> images = new HashSet<>();
    for (Map<String, String> b : breast.rows()) {
      images.add(b.get("image_id"));
    }
    for (int i = 0; i < findings.rows().size(); i++) {
      Map<String, String> f = findings.rows().get(i);
      String image = f.get("image_id");
      if (!images.contains(image)) {
        throw new DataException(
            findingCsv
                + " line "
                + findings.lineNumbers().get(i)
                + ": image "
                + image
                + " is not in the breast-level annotations; use the two tables of one release");
      }
      String cats = f.get("finding_categories").toLowerCase(Locale.ROOT);
      if (cats.contains("no finding")) {
        continue;
      }
      if (cats.contains("mass")) {
        massImages.add(image);
      }
      if (cats.contains("calcification")) {
        calcImages.add(image);
      }
      String box = box(f);
      if (box != null) {
        String categories = f.get("finding_categories").replaceAll("[\\[\\]']", "").trim();
        boxes
            .computeIfAbsent(image, k -> new ArrayList<>())
            .add(
                categories.replace(", ", "+")
                    + "|"
                    + String.valueOf(birads(f.getOrDefault("finding_birads", "")))
                        .replace("null", "")
                    + "|"
                    + box);
      }
    }
    List<ManifestRow> out = new ArrayList<>();
    for (int i = 0; i < breast.rows().size(); i++) {
      Map<String, String> b = breast.rows().get(i);
      String study = b.get("study_id");
      String lat = b.get("laterality").toUpperCase(Locale.ROOT);
      String image = b.get("image_id");
      String split =
          b.get("split").toLowerCase(Locale.ROOT).startsWith("test")
              ? "test"
              : splitter.trainOrVal(study);
      Map<String, String> extras = new HashMap<>();
      extras.put("image_type", "2D");
      extras.put("reason", "screening");
      extras.put("findings", String.join(";", boxes.getOrDefault(image, List.of())));
      extras.put("height", b.getOrDefault("height", ""));
      extras.put("width", b.getOrDefault("width", ""));
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
                massImages.contains(image) ? 1 : 0,
                calcImages.contains(image) ? 1 : 0,
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

  /** {@code xmin,ymin,xmax,ymax} of a finding row, or null when it has no box. */
  private static String box(Map<String, String> f) {
    String[] k = {"xmin", "ymin", "xmax", "ymax"};
    StringBuilder s = new StringBuilder();
    for (String c : k) {
      String v = f.getOrDefault(c, "").trim();
      if (v.isEmpty()) {
        return null;
      }
      s.append(s.length() == 0 ? "" : ",").append(v);
    }
    return s.toString();
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
