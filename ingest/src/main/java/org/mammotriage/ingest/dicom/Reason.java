package org.mammotriage.ingest.dicom;

/**
 * Why an instance was not stored, and the DIMSE status that tells the sender so: the one place that
 * maps a reason to a status. The {@link #code() codes} are stable wire strings (DLQ records, the
 * {@code reason} tag of metrics, Error Comments); never change one. A transient reason answers
 * {@link DimseStatus#OUT_OF_RESOURCES} so the sender retries and writes no DLQ record; every other
 * reason is permanent: the instance is refused and a DLQ record says why.
 */
public enum Reason {
  NOT_MG("NOT_MG", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  FOR_PROCESSING("FOR_PROCESSING", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  SECONDARY_CAPTURE(
      "SECONDARY_CAPTURE_NOT_ACCEPTED", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  UNSUPPORTED_SOP_CLASS("UNSUPPORTED_SOP_CLASS", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  NO_LATERALITY("NO_LATERALITY", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  UNSUPPORTED_TRANSFER_SYNTAX(
      "UNSUPPORTED_TRANSFER_SYNTAX", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  UNSUPPORTED_PIXEL_FORMAT(
      "UNSUPPORTED_PIXEL_FORMAT", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  MISSING_UID("MISSING_UID", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  /** A study, series, SOP instance or SOP class UID that is not a UID (PS3.5 9.1). */
  INVALID_UID("INVALID_UID", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  /** Pixel module attributes that contradict each other or the pixel data. */
  INVALID_PIXEL_MODULE("INVALID_PIXEL_MODULE", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  /** A non-image object (structured report, presentation state, ...): nothing to triage. */
  NOT_AN_IMAGE("NOT_AN_IMAGE", DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS),
  TOO_LARGE("TOO_LARGE", DimseStatus.CANNOT_UNDERSTAND),
  /** Header structure over a configured limit: sequence depth, element count, value length. */
  LIMIT_EXCEEDED("LIMIT_EXCEEDED", DimseStatus.CANNOT_UNDERSTAND),
  CORRUPT("CORRUPT", DimseStatus.CANNOT_UNDERSTAND),
  /** Kafka or the schema registry refused the record itself (too large, schema rejected). */
  PUBLISH_REJECTED("PUBLISH_REJECTED", DimseStatus.PROCESSING_FAILURE),
  /** Kafka or the schema registry did not answer in time or is down: transient. */
  KAFKA_UNAVAILABLE("KAFKA_UNAVAILABLE", DimseStatus.OUT_OF_RESOURCES),
  /** The image store (images.store.dir) did not take the working image: transient. */
  IMAGE_STORE_UNAVAILABLE("IMAGE_STORE_UNAVAILABLE", DimseStatus.OUT_OF_RESOURCES),
  /** The received file could not be read back from the spool: transient. */
  IO("IO", DimseStatus.OUT_OF_RESOURCES),
  /** The SCP is stopping: the C-STORE was not processed and the sender should send it again. */
  SHUTTING_DOWN("SHUTTING_DOWN", DimseStatus.OUT_OF_RESOURCES);

  private final String code;
  private final DimseStatus status;

  Reason(String code, DimseStatus status) {
    this.code = code;
    this.status = status;
  }

  /** The stable wire string. */
  public String code() {
    return code;
  }

  /** The C-STORE status a sender gets for an instance refused for this reason. */
  public DimseStatus status() {
    return status;
  }

  /** Transient: the sender retries and no DLQ record is written. */
  public boolean isTransient() {
    return status.senderShouldRetry();
  }

  /** The wire code, so logs, Error Comments and string concatenation read as before. */
  @Override
  public String toString() {
    return code;
  }
}
