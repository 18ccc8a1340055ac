package org.mammotriage.ingest.publish;

/** Kafka did not acknowledge in time: transient, the sender should retry. */
public class PublishException extends Exception {
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
