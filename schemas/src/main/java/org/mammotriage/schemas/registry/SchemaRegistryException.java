package org.mammotriage.schemas.registry;

/**
 * A schema registry call failed; carries the HTTP status and the registry's error code when it sent
 * one.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

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
}
