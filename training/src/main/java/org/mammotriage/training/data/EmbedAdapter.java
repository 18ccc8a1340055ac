package org.mammotriage.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the EMBED open-data layout: the image metadata table ({@code EMBED_OpenData_metadata.csv}:
 * {@code empi_anon, acc_anon, anon_dicom_path, ImageLateralityFinal, ViewPosition, FinalImageType,
 * spot_mag, ...}) joined with the clinical table ({@code EMBED_OpenData_clinical.csv}: one row per
 * finding with {@code study_date_anon, desc, side, asses, tissueden, massshape, massmargin,
 * calcfind, calcdistri, bside, procdate_anon, path_severity, age_at_study, RACE_DESC,
 * ETHNIC_GROUP_DESC}), column names as EMBED's README (sections VI, VII) documents them.
 *
 * <p>Only 2D standard CC/MLO images without spot/magnification are kept. A clinical row with side
 * {@code B} or empty applies to both breasts (README section VIII). BI-RADS is the most suspicious
 * assessment of the breast.
 *
 * <p>Labels follow the Mirai/EMBED convention, over the patient's whole history rather than the
 * exam's own rows (EMBED README section IX: a screening cancer is usually confirmed on a later
 * diagnostic exam, and its pathology may be recorded on that exam only):
 *
 * <ul>
 *   <li>a cancer is a pathology result with {@code path_severity} 0 (invasive) or 1 (in situ), on
 *       the breast {@code bside} names (else the row's {@code side}; both when neither says), dated
 *       {@code procdate_anon} (else the exam's {@code study_date_anon});
 *   <li>{@code malignant} = 1 when a cancer of that breast is dated within {@code
 *       malignancyWindowDays} (default 365) on or after the exam;
 *   <li>{@code years_to_cancer} = years from the exam to the breast's first cancer on or after it
 *       (any horizon; the exam-level time is the minimum over its breasts);
 *   <li>{@code years_to_last_followup} = years from the exam to the patient's last exam or
 *       pathology date in the table (censoring);
 *   <li>images of a breast whose cancer was diagnosed before the exam are left out (Mirai excludes
 *       exams after the diagnosis).
 * </ul>
 *
 * <p>{@code mass} = 1 only for mass shapes (generic, round, oval, irregular: {@code massshape} G,
 * R, O, X); asymmetries (A/B/F/S/V are not masses) and architectural distortion (A, Q) are kept as
 * the {@code asymmetry} and {@code distortion} extras, per EMBED's clinical legend.
 */
public final class EmbedAdapter {
  static final List<String> META_REQUIRED =
      List.of("empi_anon", "acc_anon", "anon_dicom_path", "ImageLateralityFinal", "ViewPosition");
  static final List<String> CLINICAL_REQUIRED =
      List.of("empi_anon", "acc_anon", "study_date_anon", "side", "asses", "tissueden");

  /** Days after an exam within which a cancer of the breast makes the exam malignant. */
  public static final int MALIGNANCY_WINDOW_DAYS = 365;

  /** EMBED stores absolute paths from its own server; we keep what follows this folder name. */
  static final String DICOM_FOLDER = "anon_dicom/";

  private EmbedAdapter() {}

  /**
   * @param root the dataset folder (image paths become relative to it)
   * @param metadataCsv the image metadata table
   * @param clinicalCsv the clinical table
   */
  public static List<ManifestRow> read(
      Path root, Path metadataCsv, Path clinicalCsv, PatientSplitter splitter) {
    return read(root, metadataCsv, clinicalCsv, splitter, MALIGNANCY_WINDOW_DAYS);
  }

  /** As {@link #read(Path, Path, Path, PatientSplitter)} with another malignancy window. */
  public static List<ManifestRow> read(
      Path root,
      Path metadataCsv,
      Path clinicalCsv,
      PatientSplitter splitter,
      int malignancyWindowDays) {
    Csv.Table meta = Csv.read(metadataCsv);
    meta.requireColumns(META_REQUIRED, "EMBED metadata");
    Csv.Table clinical = Csv.read(clinicalCsv);
    clinical.requireColumns(CLINICAL_REQUIRED, "EMBED clinical");
    Map<String, BreastFacts> facts = breastFacts(clinical);
    EmbedHistory history = EmbedHistory.of(clinical, clinicalCsv);
    List<ManifestRow> out = new ArrayList<>();
    for (Map<String, String> m : meta.rows()) {
      String type = m.getOrDefault("FinalImageType", "2D");
      String spot = m.getOrDefault("spot_mag", "");
      String view = m.get("ViewPosition").trim().toUpperCase(Locale.ROOT);
      String lat = m.get("ImageLateralityFinal").trim().toUpperCase(Locale.ROOT);
      if (!type.isBlank() && !type.equalsIgnoreCase("2D")
          || !spot.isBlank() && !spot.equals("0")
          || !(view.equals("CC") || view.equals("MLO"))
          || !(lat.equals("L") || lat.equals("R"))) {
        continue;
      }
      String acc = m.get("acc_anon");
      BreastFacts f = facts.get(acc + "|" + lat);
      if (f == null || f.density == null || f.density > 4) {
        // no reading for this breast, or a male patient (tissueden 5): nothing to learn from
        continue;
      }
      String patient = m.get("empi_anon");
      java.time.LocalDate examDate = history.examDates.get(acc);
      EmbedHistory.Outcome outcome = history.outcome(patient, lat, examDate, malignancyWindowDays);
      if (outcome == null) {
        continue; // this breast's cancer was diagnosed before the exam
      }
      Map<String, String> extras = new HashMap<>();
      extras.put("race", f.race);
      extras.put("ethnicity", f.ethnicity);
      extras.put("image_type", "2D");
      extras.put("procedure", f.procedure);
      extras.put(
          "reason",
          f.procedure.toLowerCase(Locale.ROOT).contains("diag") ? "diagnostic" : "screening");
      extras.put("mass_shape", f.massShape);
      extras.put("mass_margin", f.massMargin);
      extras.put("calc_distribution", f.calcDistribution);
      extras.put("asymmetry", f.asymmetry);
      extras.put("distortion", f.distortion ? "1" : "0");
      String path = relativePath(m.get("anon_dicom_path"));
      String sop = m.getOrDefault("SOPInstanceUID", "");
      out.add(
          new ManifestRow(
              patient,
              acc,
              sop.isBlank() ? Path.of(path).getFileName().toString() : sop,
              lat,
              view,
              path,
              f.age,
              f.density,
              f.birads,
              f.mass ? 1 : 0,
              f.calcification ? 1 : 0,
              outcome.malignant() ? 1 : 0,
              outcome.yearsToCancer(),
              outcome.yearsToFollowup(),
              splitter.split(patient),
              m.getOrDefault("Manufacturer", ""),
              examDate != null ? examDate.toString() : m.getOrDefault("study_date_anon", ""),
              extras));
    }
    return out;
  }

  static String relativePath(String embedPath) {
    int i = embedPath.indexOf(DICOM_FOLDER);
    String rel = i >= 0 ? embedPath.substring(i + DICOM_FOLDER.length()) : embedPath;
    while (rel.startsWith("/")) {
      rel = rel.substring(1);
    }
    return rel;
  }

  private static Map<String, BreastFacts> breastFacts(Csv.Table clinical) {
    Map<String, BreastFacts> out = new HashMap<>();
    for (Map<String, String> c : clinical.rows()) {
      String side = c.get("side").trim().toUpperCase(Locale.ROOT);
      for (String lat : side.equals("L") || side.equals("R") ? List.of(side) : List.of("L", "R")) {
        out.computeIfAbsent(c.get("acc_anon") + "|" + lat, k -> new BreastFacts()).add(c);
      }
    }
    return out;
  }

  /** What the clinical rows say about one breast of one exam. */
  private static final class BreastFacts {
    Integer age;
    Integer density;
    Integer birads;
    int suspicion = -1;
    boolean mass;
    boolean calcification;
    boolean distortion;
    String asymmetry = "";
    String race = "";
    String ethnicity = "";
    String procedure = "";
    String massShape = "";
    String massMargin = "";
    String calcDistribution = "";

    void add(Map<String, String> c) {
      age = age != null ? age : parseInt(c.get("age_at_study"));
      density = density != null ? density : parseInt(c.get("tissueden"));
      int[] b = birads(c.get("asses"));
      if (b != null && b[1] > suspicion) {
        suspicion = b[1];
        birads = b[0];
      }
      String shape = c.getOrDefault("massshape", "").trim().toUpperCase(Locale.ROOT);
      if (MASS_SHAPES.contains(shape)) {
        mass = true;
        massShape = massShape.isEmpty() ? shapeWord(shape) : massShape;
        massMargin =
            massMargin.isEmpty() ? marginWord(c.getOrDefault("massmargin", "").trim()) : massMargin;
      } else if (ASYMMETRY_SHAPES.contains(shape)) {
        asymmetry = asymmetry.isEmpty() ? shapeWord(shape) : asymmetry;
      } else if (DISTORTION_SHAPES.contains(shape)) {
        distortion = true;
      }
      String calc = c.getOrDefault("calcfind", "").trim();
      String distri = c.getOrDefault("calcdistri", "").trim();
      if (!calc.isEmpty() || !distri.isEmpty()) {
        calcification = true;
        calcDistribution = calcDistribution.isEmpty() ? distributionWord(distri) : calcDistribution;
      }
      // RACE_DESC as documented; ETHNICITY_DESC in some releases
      String r = c.getOrDefault("RACE_DESC", "").trim();
      r = r.isEmpty() ? c.getOrDefault("ETHNICITY_DESC", "").trim() : r;
      race = race.isEmpty() ? r : race;
      ethnicity = ethnicity.isEmpty() ? c.getOrDefault("ETHNIC_GROUP_DESC", "").trim() : ethnicity;
      procedure = procedure.isEmpty() ? c.getOrDefault("desc", "").trim() : procedure;
    }
  }

  /**
   * EMBED assessment letter → {BI-RADS, suspicion rank}. 0 (additional evaluation) ranks above 3.
   */
  static int[] birads(String code) {
    if (code == null) {
      return null;
    }
    return switch (code.trim().toUpperCase(Locale.ROOT)) {
      case "N" -> new int[] {1, 0};
      case "B" -> new int[] {2, 1};
      case "P" -> new int[] {3, 2};
      case "A" -> new int[] {0, 3};
      case "S" -> new int[] {4, 4};
      case "M" -> new int[] {5, 5};
      case "K" -> new int[] {6, 6};
      default -> null;
    };
  }

  /** EMBED's clinical legend: the {@code massshape} codes that are masses. */
  static final java.util.Set<String> MASS_SHAPES = java.util.Set.of("G", "R", "O", "X");

  static final java.util.Set<String> ASYMMETRY_SHAPES = java.util.Set.of("B", "F", "S", "V");
  static final java.util.Set<String> DISTORTION_SHAPES = java.util.Set.of("A", "Q");

  private static String shapeWord(String code) {
    return switch (code.toUpperCase(Locale.ROOT)) {
      case "R" -> "round";
      case "O" -> "oval";
      case "X" -> "irregular";
      case "B" -> "global asymmetry";
      case "F" -> "focal asymmetry";
      case "S" -> "asymmetry";
      case "V" -> "developing asymmetry";
      default -> "";
    };
  }

  private static String marginWord(String code) {
    return switch (code.toUpperCase(Locale.ROOT)) {
      case "D" -> "circumscribed";
      case "U" -> "obscured";
      case "M" -> "microlobulated";
      case "I" -> "indistinct";
      case "S" -> "spiculated";
      default -> "";
    };
  }

  private static String distributionWord(String code) {
    return switch (code.toUpperCase(Locale.ROOT)) {
      case "G" -> "grouped";
      case "S" -> "segmental";
      case "L" -> "linear";
      case "R" -> "regional";
      case "D" -> "diffuse";
      default -> "";
    };
  }

  private static Integer parseInt(String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return (int) Math.round(Double.parseDouble(v.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
