package org.mammotriage.training.heads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mammotriage.scoring.Slot;
import org.mammotriage.training.survival.SurvivalOutcome;

/**
 * Groups the rows of a training manifest (DESIGN §6, one row per image) into exams with four slots.
 * Extra views (XCCL, spot, ...) are not slotted; a second image for a slot is ignored (the first
 * one wins, as the stream's assembler keeps the first unless a retake replaces it). Image paths
 * resolve relative to the manifest file.
 */
public final class ExamManifest {
  private static final List<String> REQUIRED =
      List.of(
          "patient_id",
          "study_uid",
          "laterality",
          "view",
          "image_path",
          "malignant",
          "years_to_cancer",
          "years_to_last_followup",
          "split");

  private ExamManifest() {}

  public static List<ExamRecord> read(Path manifest) throws IOException {
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(manifest + " is empty; expected a manifest CSV header");
    }
    List<String> header = CsvLine.split(lines.get(0));
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).trim(), i);
    }
    for (String r : REQUIRED) {
      if (!col.containsKey(r)) {
        throw new IllegalArgumentException(
            manifest + " has no column '" + r + "'; a training manifest needs " + REQUIRED);
      }
    }
    Path base = manifest.toAbsolutePath().getParent();
    Map<String, Builder> exams = new LinkedHashMap<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      List<String> f = CsvLine.split(lines.get(n));
      String study = f.get(col.get("study_uid"));
      Builder b =
          exams.computeIfAbsent(
              study, s -> new Builder(s, f.get(col.get("patient_id")), f.get(col.get("split"))));
      Optional<Slot> slot = Slot.of(f.get(col.get("laterality")), f.get(col.get("view")));
      int breast = "R".equals(f.get(col.get("laterality"))) ? 1 : 0;
      if ("1".equals(f.get(col.get("malignant")).trim())) {
        b.malignant[breast] = true;
      }
      b.note(
          number(f.get(col.get("years_to_cancer"))),
          number(f.get(col.get("years_to_last_followup"))));
      if (slot.isPresent() && b.images[slot.get().ordinal()] == null) {
        b.images[slot.get().ordinal()] = base.resolve(f.get(col.get("image_path")));
      }
    }
    List<ExamRecord> out = new ArrayList<>();
    for (Builder b : exams.values()) {
      if (b.hasAnySlot()) {
        out.add(b.build());
      }
    }
    return out;
  }

  private static double number(String s) {
    return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.trim());
  }

  private static final class Builder {
    final String study;
    final String patient;
    final String split;
    final Path[] images = new Path[4];
    final boolean[] malignant = new boolean[2];
    double yearsToCancer = Double.NaN;
    double followup = Double.NaN;

    Builder(String study, String patient, String split) {
      this.study = study;
      this.patient = patient;
      this.split = split;
    }

    // the exam's event is the earliest cancer in either breast
    void note(double ytc, double fu) {
      if (!Double.isNaN(ytc) && (Double.isNaN(yearsToCancer) || ytc < yearsToCancer)) {
        yearsToCancer = ytc;
      }
      if (!Double.isNaN(fu) && (Double.isNaN(followup) || fu > followup)) {
        followup = fu;
      }
    }

    boolean hasAnySlot() {
      for (Path p : images) {
        if (p != null) {
          return true;
        }
      }
      return false;
    }

    ExamRecord build() {
      double fu = Double.isNaN(followup) ? 0 : followup;
      return new ExamRecord(
          study,
          patient,
          split,
          images.clone(),
          malignant.clone(),
          new SurvivalOutcome(yearsToCancer, fu));
    }
  }

  /** One CSV line, RFC 4180 quoting (manifests have no line breaks inside fields). */
  static final class CsvLine {
    private CsvLine() {}

    static List<String> split(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            cur.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          out.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      out.add(cur.toString());
      return out;
    }
  }
}
