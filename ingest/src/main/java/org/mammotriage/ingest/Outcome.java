package org.mammotriage.ingest;

import org.mammotriage.ingest.dicom.DimseStatus;
import org.mammotriage.ingest.dicom.Reason;

/**
 * What happened to one received instance. {@code STORED} and {@code DUPLICATE} are successes for
 * the sender (no reason); {@code REJECTED} is a permanent failure (a DLQ record was written, or the
 * log says why it could not be); {@code TRANSIENT_FAILURE} means Kafka did not acknowledge, so the
 * sender must retry (no DLQ record).
 */
public record Outcome(
    Status status, Reason reason, String text, String sopInstanceUid, String studyInstanceUid) {

  /** Outcome kinds. */
  public enum Status {
    STORED,
    DUPLICATE,
    REJECTED,
    TRANSIENT_FAILURE
  }

  public Outcome {
    boolean failed = status == Status.REJECTED || status == Status.TRANSIENT_FAILURE;
    if (failed != (reason != null)
        || failed && reason.isTransient() != (status == Status.TRANSIENT_FAILURE)) {
      throw new IllegalArgumentException(status + " cannot have the reason " + reason);
    }
  }

  public boolean success() {
    return status == Status.STORED || status == Status.DUPLICATE;
  }

  /** The C-STORE status the sender gets: success, else the reason's status. */
  public DimseStatus dimseStatus() {
    return success() ? DimseStatus.SUCCESS : reason.status();
  }
}
