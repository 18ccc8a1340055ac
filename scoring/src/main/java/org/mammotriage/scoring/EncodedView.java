package org.mammotriage.scoring;

import java.util.Objects;
import org.mammotriage.contract.Slot;

/** One view of an exam, already encoded: what the exam head of a contract-2 model reads. */
public record EncodedView(Slot slot, String sopInstanceUid, ViewEncoding encoding) {
  public EncodedView {
    Objects.requireNonNull(slot);
    Objects.requireNonNull(encoding);
  }
}
