package org.mammotriage.training.data;

/**
 * Bad training input (a malformed manifest or table, a missing image): the message says what to
 * fix.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
