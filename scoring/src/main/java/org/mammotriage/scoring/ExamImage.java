package org.mammotriage.scoring;

import java.util.Objects;
import org.mammotriage.contract.Slot;

/** One working image (8-bit PNG as ingest wrote it, chest wall on the left) in its slot. */
public record ExamImage(Slot slot, byte[] png, String sopInstanceUid) {
  public ExamImage {
    Objects.requireNonNull(slot);
    Objects.requireNonNull(png);
  }
}
