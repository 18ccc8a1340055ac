package org.mammotriage.ingest.dicom;

/**
 * The DIMSE status codes the SCP answers with (PS3.7 Annex C, PS3.4 Annex B). Only {@link
 * #OUT_OF_RESOURCES} tells the sender to try again later; the failures are final for the instance.
 */
public enum DimseStatus {
  SUCCESS(0x0000),
  /** General failure: the instance was understood but ingest cannot store it. */
  PROCESSING_FAILURE(0x0110),
  UNRECOGNIZED_OPERATION(0x0211),
  /** Refused: out of resources. The sender keeps the instance and retries. */
  OUT_OF_RESOURCES(0xA700),
  DATA_SET_DOES_NOT_MATCH_SOP_CLASS(0xA900),
  CANNOT_UNDERSTAND(0xC000);

  private final int code;

  DimseStatus(int code) {
    this.code = code;
  }

  /** The value of the Status (0000,0900) element. */
  public int code() {
    return code;
  }

  /** Whether a sender should keep the instance and send it again later. */
  public boolean senderShouldRetry() {
    return this == OUT_OF_RESOURCES;
  }
}
