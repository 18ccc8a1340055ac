package org.mammotriage.synth;

/**
 * The faults {@code --faults} injects, each with what ingest must do with the file (faults.csv).
 */
public enum Fault {
  DUPLICATE_INSTANCE("ACCEPT_DUPLICATE", ""),
  RETAKE("ACCEPT", ""),
  MISSING_VIEW("NONE", ""),
  EXTRA_VIEW_XCCL("ACCEPT_EXTRA", ""),
  EXTRA_VIEW_SPOT("ACCEPT_EXTRA", ""),
  EXTRA_VIEW_MAGNIFICATION("ACCEPT_EXTRA", ""),
  EXTRA_VIEW_IMPLANT_DISPLACED("ACCEPT_EXTRA", ""),
  FOR_PROCESSING("REJECT", "FOR_PROCESSING"),
  NOT_MG("REJECT", "NOT_MG"),
  NO_LATERALITY("REJECT", "NO_LATERALITY"),
  JPEG_LOSSLESS("ACCEPT", ""),
  JPEG_2000("ACCEPT", ""),
  TRUNCATED("REJECT", "CORRUPT"),
  ABSURD_DIMENSIONS("REJECT", "TOO_LARGE");

  final String action;
  final String reason;

  Fault(String action, String reason) {
    this.action = action;
    this.reason = reason;
  }

  public String action() {
    return action;
  }

  public String reason() {
    return reason;
  }
}
