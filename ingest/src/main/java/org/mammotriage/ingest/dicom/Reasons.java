package org.mammotriage.ingest.dicom;

/**
 * Stable reason codes for rejected instances (they appear in DLQ records, metrics and failure
 * comments).
 */
public final class Reasons {
  public static final String NOT_MG = "NOT_MG";
  public static final String FOR_PROCESSING = "FOR_PROCESSING";
  public static final String SECONDARY_CAPTURE = "SECONDARY_CAPTURE_NOT_ACCEPTED";
  public static final String UNSUPPORTED_SOP_CLASS = "UNSUPPORTED_SOP_CLASS";
  public static final String NO_LATERALITY = "NO_LATERALITY";
  public static final String UNSUPPORTED_TRANSFER_SYNTAX = "UNSUPPORTED_TRANSFER_SYNTAX";
  public static final String UNSUPPORTED_PIXEL_FORMAT = "UNSUPPORTED_PIXEL_FORMAT";
  public static final String TOO_LARGE = "TOO_LARGE";
  public static final String CORRUPT = "CORRUPT";
  public static final String MISSING_UID = "MISSING_UID";

  private Reasons() {}
}
