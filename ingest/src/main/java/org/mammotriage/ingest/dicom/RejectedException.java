package org.mammotriage.ingest.dicom;

/** An instance that ingest refuses, permanently: resending it will not help. */
public class RejectedException extends Exception {
  private final String reason;

  public RejectedException(String reason, String text) {
    super(text);
    this.reason = reason;
  }

  public RejectedException(String reason, String text, Throwable cause) {
    super(text, cause);
    this.reason = reason;
  }

  /** One of {@link Reasons}. */
  public String reason() {
    return reason;
  }
}
