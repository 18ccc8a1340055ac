package org.mammotriage.contract;

/** A model directory cannot be used; the message names the problem and what to do. */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
