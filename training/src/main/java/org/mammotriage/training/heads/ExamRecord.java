package org.mammotriage.training.heads;

import java.nio.file.Path;
import org.mammotriage.contract.Slot;
import org.mammotriage.evaluation.survival.SurvivalOutcome;

/**
 * One exam of the training manifest as the heads see it: the image of each slot (null when the view
 * is missing), whether each breast (0 left, 1 right) has a cancer at this exam, and the exam's
 * future (earliest cancer in either breast, follow-up).
 */
public record ExamRecord(
    String studyUid,
    String patientId,
    String split,
    Path[] images,
    boolean[] breastMalignant,
    SurvivalOutcome outcome) {

  public boolean present(Slot s) {
    return images[s.ordinal()] != null;
  }

  public float[] presentMask() {
    float[] p = new float[4];
    for (Slot s : Slot.values()) {
      p[s.ordinal()] = present(s) ? 1 : 0;
    }
    return p;
  }

  /** Per-view malignancy label: the label of the view's breast. */
  public float[] viewLabels() {
    float[] y = new float[4];
    for (Slot s : Slot.values()) {
      y[s.ordinal()] = breastMalignant[s.breastIndex()] ? 1 : 0;
    }
    return y;
  }
}
