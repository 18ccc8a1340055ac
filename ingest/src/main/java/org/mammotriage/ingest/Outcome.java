package org.mammotriage.ingest;

/**
 * What happened to one received instance. {@code STORED} and {@code DUPLICATE} are successes for
 * the sender; {@code REJECTED} is a permanent failure (a DLQ record was written); {@code
 * TRANSIENT_FAILURE} means Kafka did not acknowledge, so the sender must retry.
 */
public record Outcome(
    Status status, String reason, String text, String sopInstanceUid, String studyInstanceUid) {

  /** Outcome kinds. */
  public enum Status {
    STORED,
    DUPLICATE,
    REJECTED,
    TRANSIENT_FAILURE
  }

  public boolean success() {
    return status == Status.STORED || status == Status.DUPLICATE;
  }
}
