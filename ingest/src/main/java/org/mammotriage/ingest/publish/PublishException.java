package org.mammotriage.ingest.publish;

/**
 * Kafka did not take a record. {@link #retriable()} says whether the sender should send it again
 * (Kafka or the registry unavailable) or whether the record itself was refused, as decided by
 * {@link PublishFailureClassifier}.
 */
public class PublishException extends Exception {
  private final boolean retriable;

  public PublishException(String message, Throwable cause) {
    super(message, cause);
    this.retriable = PublishFailureClassifier.isRetriable(cause);
  }

  public boolean retriable() {
    return retriable;
  }
}
