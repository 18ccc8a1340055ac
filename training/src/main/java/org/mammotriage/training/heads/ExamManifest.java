package org.mammotriage.training.heads;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mammotriage.contract.Slot;
import org.mammotriage.evaluation.survival.SurvivalOutcome;
import org.mammotriage.training.data.DataException;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;

/**
 * Groups the rows of a training manifest (DESIGN §6, one row per image, read and validated by
 * {@link TrainingManifest}) into exams with four slots. Extra views (XCCL, spot, ...) are not
 * slotted; a second image for a slot is ignored (the first one wins, as the stream's assembler
 * keeps the first unless a retake replaces it). Image paths resolve relative to the manifest file.
 */
public final class ExamManifest {
  /** The outcome columns the heads and their evaluation need, beyond what every manifest has. */
  private static final List<String> OUTCOME =
      List.of("malignant", "years_to_cancer", "years_to_last_followup");

  private ExamManifest() {}

  public static List<ExamRecord> read(Path manifest) throws IOException {
    TrainingManifest m = TrainingManifest.read(manifest);
    for (String c : OUTCOME) {
      if (!m.columns().contains(c)) {
        throw new DataException(
            manifest
                + " has no column '"
                + c
                + "'; training the heads needs the outcome columns "
                + OUTCOME);
      }
    }
    Map<String, Builder> exams = new LinkedHashMap<>();
    for (ManifestRow r : m.rows()) {
      Builder b =
          exams.computeIfAbsent(r.studyUid(), s -> new Builder(s, r.patientId(), r.split()));
      Optional<Slot> slot = Slot.of(r.laterality(), r.view());
      int breast = "R".equals(r.laterality()) ? 1 : 0;
      if (r.malignant() == 1) {
        b.malignant[breast] = true;
      }
      b.note(number(r.yearsToCancer()), number(r.yearsToLastFollowup()));
      if (slot.isPresent() && b.images[slot.get().ordinal()] == null) {
        b.images[slot.get().ordinal()] = m.resolve(r);
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

  private static double number(Double d) {
    return d == null ? Double.NaN : d;
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
}
