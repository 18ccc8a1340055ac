package org.mammotriage.ingest.publish;

import java.io.IOException;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.mammotriage.failure.Causes;
import org.mammotriage.schemas.registry.SchemaRegistryException;

/**
 * Sorts a failure to publish to Kafka (or to reach the schema registry) into transient and
 * permanent, the one place ingest decides it (Debezium's {@code isRetriable}).
 *
 * <p>Permanent means the record itself can never be published: too large, refused by the broker,
 * not serialisable, its schema rejected by the registry (4xx). The instance is refused and
 * dead-lettered. Everything about the environment is transient: timeouts, not enough replicas,
 * network and leader changes (Kafka's {@link RetriableException}), an unreachable or failing
 * registry (no answer, 5xx, 408, 429), missing credentials or ACLs, interruption. The sender gets
 * 0xA700 and retries; nothing is dead-lettered. A failure of no known kind is transient too:
 * retrying loses nothing, dead-lettering a good instance would.
 *
 * <p>A {@link SchemaRegistryException} anywhere in the cause chain decides by its {@code
 * retriable()}. Otherwise the chain is walked from its root: the innermost exception of a known
 * kind decides.
 */
public final class PublishFailureClassifier {
  private PublishFailureClassifier() {}

  /** Whether sending the same record again later can succeed. */
  public static boolean isRetriable(Throwable failure) {
    Optional<SchemaRegistryException> registry =
        Causes.innermost(failure, SchemaRegistryException.class);
    if (registry.isPresent()) {
      return registry.get().retriable();
    }
    for (Throwable t : Causes.rootFirst(failure)) {
      Optional<Boolean> known = retriable(t);
      if (known.isPresent()) {
        return known.get();
      }
    }
    return true;
  }

  private static Optional<Boolean> retriable(Throwable t) {
    if (t instanceof RetriableException
        || t instanceof java.util.concurrent.TimeoutException
        || t instanceof InterruptedException
        || t instanceof InterruptException
        || t instanceof IOException
        || t instanceof AuthenticationException
        || t instanceof AuthorizationException) {
      return Optional.of(true);
    }
    if (t instanceof RecordTooLargeException
        || t instanceof RecordBatchTooLargeException
        || t instanceof InvalidRecordException
        || t instanceof SerializationException
        || t instanceof AvroRuntimeException) {
      return Optional.of(false);
    }
    return Optional.empty();
  }
}
