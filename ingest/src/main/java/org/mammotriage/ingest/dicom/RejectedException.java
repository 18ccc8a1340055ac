package org.mammotriage.ingest.dicom;

/** An instance that ingest refuses, permanently: resending it will not help. */
public class RejectedException extends Exception {
  private final Reason reason;

  public RejectedException(Reason reason, String text) {
    this(reason, text, null);
  }

  public RejectedException(Reason reason, String text, Throwable cause) {
    super(text, cause);
    if (reason.isTransient()) {
      throw new IllegalArgumentException(reason + " is transient; a rejection is permanent");
    }
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
