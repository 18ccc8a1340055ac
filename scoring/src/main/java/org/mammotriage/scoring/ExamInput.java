package org.mammotriage.scoring;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.contract.Slot;

/** An assembled exam: at most one image per slot; missing slots are scored with present=0. */
public record ExamInput(String examKey, List<ExamImage> images) {
  public ExamInput {
    images = List.copyOf(images);
    Map<Slot, ExamImage> seen = new EnumMap<>(Slot.class);
    for (ExamImage i : images) {
      if (seen.put(i.slot(), i) != null) {
        throw new IllegalArgumentException(
            "exam " + examKey + " has two images for slot " + i.slot());
      }
    }
  }
}
