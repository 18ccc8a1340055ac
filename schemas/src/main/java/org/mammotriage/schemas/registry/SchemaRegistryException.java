package org.mammotriage.schemas.registry;

/**
 * A schema registry call failed; carries the HTTP status, the registry's error code when it sent
 * one, and whether trying again later can succeed ({@link #retriable()}), the one answer both
 * ingest's and streams' failure classifiers take from here.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int httpStatus;
  private final int errorCode;
  private final boolean retriable;

  /** Retriable as {@link #retriableStatus(int)} says for the HTTP status. */
  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    this(message, httpStatus, errorCode, retriableStatus(httpStatus), cause);
  }

  public SchemaRegistryException(
      String message, int httpStatus, int errorCode, boolean retriable, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.retriable = retriable;
  }

  /** The HTTP status, or -1 when no registry answered. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * Confluent error code, e.g. 40401 subject not found, 40403 schema not found, 409 incompatible,
   * 42201 invalid schema.
   */
  public int errorCode() {
    return errorCode;
  }

  /**
   * True when the failure is the registry's or its surroundings' and the same call can succeed
   * later: no answer, 5xx, 408, 429, credentials (401/403, an operator fixes them), a schema that a
   * governed registry does not hold yet. False when the schema itself is refused (409 incompatible,
   * 422 invalid) or a record names a schema id the registry does not know.
   */
  public boolean retriable() {
    return retriable;
  }

  /** -1: no answer. 401/403: credentials. 408/429/5xx: try again. Other 4xx: permanent. */
  public static boolean retriableStatus(int httpStatus) {
    return httpStatus < 0
        || httpStatus >= 500
        || httpStatus == 401
        || httpStatus == 403
        || httpStatus == 408
        || httpStatus == 429;
  }
}
