package org.mammotriage.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the RSNA Screening Mammography layout: {@code train.csv} ({@code site_id, patient_id,
 * image_id, laterality, view, age, cancer, biopsy, invasive, BIRADS, implant, density, machine_id,
 * difficult_negative_case}); images at {@code train_images/<patient_id>/<image_id>.dcm}.
 *
 * <p>RSNA has one exam per patient: the study key is derived from the patient. Density A–D maps to
 * 1–4; {@code cancer} is the malignancy label; mass and calcification are not given (empty). The
 * competition's further labels are kept as extras: {@code biopsy} (the breast was biopsied), {@code
 * invasive} (the cancer is invasive; 0 for in situ and for no cancer) and {@code
 * difficult_negative_case} (a negative that was hard to read), as 0/1 or empty; a biopsied negative
 * is the hard negative malignancy heads may weight.
 */
public final class RsnaAdapter {
  static final List<String> REQUIRED =
      List.of("patient_id", "image_id", "laterality", "view", "age", "cancer");

  private RsnaAdapter() {}

  public static List<ManifestRow> read(Path trainCsv, PatientSplitter splitter) {
    Csv.Table t = Csv.read(trainCsv);
    t.requireColumns(REQUIRED, "RSNA train.csv");
    List<ManifestRow> out = new ArrayList<>();
    for (int i = 0; i < t.rows().size(); i++) {
      Map<String, String> r = t.rows().get(i);
      try {
        out.add(row(r, splitter));
      } catch (DataException | NumberFormatException e) {
        throw new DataException(
            trainCsv + " line " + t.lineNumbers().get(i) + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static ManifestRow row(Map<String, String> r, PatientSplitter splitter) {
    String patient = r.get("patient_id");
    String cancer = r.get("cancer").trim();
    if (!cancer.equals("0") && !cancer.equals("1")) {
      throw new DataException("cancer must be 0 or 1, got '" + cancer + "'");
    }
    Map<String, String> extras = new HashMap<>();
    extras.put("image_type", "2D");
    extras.put("reason", "screening");
    extras.put("implant", r.getOrDefault("implant", ""));
    extras.put("site_id", r.getOrDefault("site_id", ""));
    extras.put("biopsy", flag(r.getOrDefault("biopsy", ""), "biopsy"));
    extras.put("invasive", flag(r.getOrDefault("invasive", ""), "invasive"));
    extras.put(
        "difficult_negative_case",
        flag(r.getOrDefault("difficult_negative_case", ""), "difficult_negative_case"));
    if (cancer.equals("0") && "1".equals(extras.get("invasive"))) {
      throw new DataException("invasive is 1 but cancer is 0");
    }
    String age = r.get("age").trim();
    String birads = r.getOrDefault("BIRADS", "").trim();
    return new ManifestRow(
        patient,
        "rsna-" + patient,
        r.get("image_id"),
        r.get("laterality").toUpperCase(Locale.ROOT),
        r.get("view").toUpperCase(Locale.ROOT),
        "train_images/" + patient + "/" + r.get("image_id") + ".dcm",
        age.isEmpty() ? null : (int) Math.round(Double.parseDouble(age)),
        density(r.getOrDefault("density", "")),
        birads.isEmpty() ? null : (int) Math.round(Double.parseDouble(birads)),
        -1,
        -1,
        Integer.parseInt(cancer),
        null,
        null,
        splitter.split(patient),
        r.getOrDefault("machine_id", ""),
        "",
        extras);
  }

  /** {@code 0/1}, {@code True/False} (pandas writes booleans so) → "0"/"1"; empty stays empty. */
  static String flag(String v, String column) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "" -> "";
      case "0", "0.0", "false" -> "0";
      case "1", "1.0", "true" -> "1";
      default -> throw new DataException(column + " must be 0/1 or True/False, got '" + v + "'");
    };
  }

  static Integer density(String v) {
    String s = v.trim().toUpperCase(Locale.ROOT);
    if (s.isEmpty()) {
      return null;
    }
    if (s.length() == 1 && s.charAt(0) >= 'A' && s.charAt(0) <= 'D') {
      return s.charAt(0) - 'A' + 1;
    }
    throw new DataException("density must be A-D or empty, got '" + v + "'");
  }
}
