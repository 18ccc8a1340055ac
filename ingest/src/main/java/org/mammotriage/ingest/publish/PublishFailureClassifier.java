package org.mammotriage.ingest.publish;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
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
    Optional<SchemaRegistryException> registry = registryFailure(failure);
    if (registry.isPresent()) {
      return registry.get().retriable();
    }
    for (Throwable t : rootFirst(failure)) {
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

  /**
   * A registry failure anywhere in the chain decides by its own {@link
   * SchemaRegistryException#retriable()}: its cause (an {@link IOException} when the registry
   * closed the connection while stopping) says nothing about the record.
   */
  static Optional<SchemaRegistryException> registryFailure(Throwable failure) {
    for (Throwable t : rootFirst(failure)) {
      if (t instanceof SchemaRegistryException r) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The cause chain, innermost first; a cycle ends it. */
  static List<Throwable> rootFirst(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    Collections.reverse(chain);
    return chain;
  }
}
