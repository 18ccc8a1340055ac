package org.mammotriage.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The training manifest CSV: read (validating every row, with line numbers in errors) and write.
 * Image paths resolve relative to the manifest's folder.
 */
public final class TrainingManifest {
  /** The exact header the synthetic archive writes; adapters write it too, plus extra columns. */
  public static final List<String> COLUMNS =
      List.of(
          "patient_id",
          "study_uid",
          "sop_uid",
          "laterality",
          "view",
          "image_path",
          "age",
          "density",
          "birads",
          "mass",
          "calcification",
          "malignant",
          "years_to_cancer",
          "years_to_last_followup",
          "split",
          "manufacturer",
          "exam_date");

  /** Columns a manifest must have; the rest may be missing (then unknown). */
  static final List<String> REQUIRED =
      List.of("patient_id", "study_uid", "laterality", "view", "image_path", "split");

  public static final Set<String> SPLITS = Set.of("train", "val", "test");

  private final Path file;
  private final List<ManifestRow> rows;
  private final List<String> columns;

  private TrainingManifest(Path file, List<ManifestRow> rows, List<String> columns) {
    this.file = file;
    this.rows = List.copyOf(rows);
    this.columns = List.copyOf(columns);
  }

  /** Wraps rows that came from an adapter (paths relative to {@code file}'s folder). */
  public static TrainingManifest of(Path file, List<ManifestRow> rows) {
    return new TrainingManifest(file.toAbsolutePath(), rows, COLUMNS);
  }

  /** Reads and validates a manifest. */
  public static TrainingManifest read(Path file) {
    Csv.Table t = Csv.read(file);
    t.requireColumns(REQUIRED, "training manifest");
    List<ManifestRow> rows = new ArrayList<>(t.rows().size());
    for (int i = 0; i < t.rows().size(); i++) {
      Map<String, String> r = t.rows().get(i);
      int line = t.lineNumbers().get(i);
      try {
        rows.add(parse(r, t.header()));
      } catch (DataException | IllegalArgumentException e) {
        throw new DataException(file + " line " + line + ": " + e.getMessage(), e);
      }
    }
    if (rows.isEmpty()) {
      throw new DataException(file + ": the manifest has a header but no rows");
    }
    return new TrainingManifest(file.toAbsolutePath(), rows, t.header());
  }

  /** The columns the file has (for rows from an adapter: {@link #COLUMNS}). */
  public List<String> columns() {
    return columns;
  }

  private static ManifestRow parse(Map<String, String> r, List<String> header) {
    String lat = r.get("laterality").toUpperCase(Locale.ROOT);
    if (!lat.equals("L") && !lat.equals("R")) {
      throw new DataException("laterality must be L or R, got '" + r.get("laterality") + "'");
    }
    String split = r.get("split").toLowerCase(Locale.ROOT);
    if (!SPLITS.contains(split)) {
      throw new DataException(
          "split must be one of " + new TreeSet<>(SPLITS) + ", got '" + r.get("split") + "'");
    }
    String path = r.get("image_path");
    if (path.isBlank()) {
      throw new DataException("image_path is empty");
    }
    Integer density = optInt(r, "density");
    if (density != null && (density < 1 || density > 4)) {
      throw new DataException("density must be 1-4, got " + density);
    }
    Integer birads = optInt(r, "birads");
    if (birads != null && (birads < 0 || birads > 6)) {
      throw new DataException("birads must be 0-6, got " + birads);
    }
    Map<String, String> extras = new HashMap<>();
    for (String h : header) {
      if (!COLUMNS.contains(h)) {
        extras.put(h, r.getOrDefault(h, ""));
      }
    }
    return new ManifestRow(
        req(r, "patient_id"),
        req(r, "study_uid"),
        r.getOrDefault("sop_uid", ""),
        lat,
        r.get("view").toUpperCase(Locale.ROOT),
        path,
        optInt(r, "age"),
        density,
        birads,
        flag(r, "mass"),
        flag(r, "calcification"),
        flag(r, "malignant"),
        optDouble(r, "years_to_cancer"),
        optDouble(r, "years_to_last_followup"),
        split,
        r.getOrDefault("manufacturer", ""),
        r.getOrDefault("exam_date", ""),
        extras);
  }

  private static String req(Map<String, String> r, String key) {
    String v = r.get(key);
    if (v == null || v.isBlank()) {
      throw new DataException(key + " is empty");
    }
    return v;
  }

  private static Integer optInt(Map<String, String> r, String key) {
    String v = r.get(key);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return (int) Math.round(Double.parseDouble(v));
    } catch (NumberFormatException e) {
      throw new DataException(key + " is not a number: '" + v + "'");
    }
  }

  private static Double optDouble(Map<String, String> r, String key) {
    String v = r.get(key);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new DataException(key + " is not a number: '" + v + "'");
    }
  }

  private static int flag(Map<String, String> r, String key) {
    String v = r.get(key);
    if (v == null || v.isBlank()) {
      return -1;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "1", "1.0", "true", "yes" -> 1;
      case "0", "0.0", "false", "no" -> 0;
      default -> throw new DataException(key + " must be 0 or 1, got '" + v + "'");
    };
  }

  public Path file() {
    return file;
  }

  public List<ManifestRow> rows() {
    return rows;
  }

  /** The rows of one split. */
  public List<ManifestRow> rows(String split) {
    return rows.stream().filter(r -> r.split().equals(split)).toList();
  }

  /** The absolute path of a row's image. */
  public Path resolve(ManifestRow row) {
    Path p = Path.of(row.imagePath());
    return p.isAbsolute() ? p : file.getParent().resolve(p).normalize();
  }

  /** Writes rows with the standard header plus any extra columns (sorted) the rows carry. */
  public static void write(Path out, List<ManifestRow> rows) {
    Set<String> extraCols = new TreeSet<>();
    for (ManifestRow r : rows) {
      extraCols.addAll(r.extras().keySet());
    }
    List<String> header = new ArrayList<>(COLUMNS);
    header.addAll(extraCols);
    try {
      Files.createDirectories(out.toAbsolutePath().getParent());
      try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        Csv.writeLine(w, header);
        for (ManifestRow r : rows) {
          List<String> v =
              new ArrayList<>(
                  List.of(
                      r.patientId(),
                      r.studyUid(),
                      r.sopUid(),
                      r.laterality(),
                      r.view(),
                      r.imagePath(),
                      str(r.age()),
                      str(r.density()),
                      str(r.birads()),
                      flagStr(r.mass()),
                      flagStr(r.calcification()),
                      flagStr(r.malignant()),
                      str(r.yearsToCancer()),
                      str(r.yearsToLastFollowup()),
                      r.split(),
                      r.manufacturer(),
                      r.examDate()));
          for (String c : extraCols) {
            v.add(r.extras().getOrDefault(c, ""));
          }
          Csv.writeLine(w, v);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write manifest " + out + ": " + e.getMessage(), e);
    }
  }

  /** Distinct patients, in first-seen order. */
  public List<String> patients() {
    Set<String> s = new LinkedHashSet<>();
    rows.forEach(r -> s.add(r.patientId()));
    return Collections.unmodifiableList(new ArrayList<>(s));
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }

  private static String flagStr(int f) {
    return f < 0 ? "" : Integer.toString(f);
  }
}
