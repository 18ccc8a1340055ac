package org.mammotriage.streams;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.failure.Causes;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.schemas.registry.SchemaRegistryException;

/**
 * Tells a poison record from a transient failure, the one place the streams edge decides it
 * (Debezium's {@code isRetriable}); the DLQ handlers act on the answer.
 *
 * <p>Transient: the failure is this process's or its surroundings', and the same record will go
 * through once it passes. The scorer (an {@link OrtException}, a closed session's or scorer's
 * {@link IllegalStateException}, a {@link ModelLoadException}), the schema registry (no answer,
 * 5xx, 408, 429, 401/403), the network ({@link SocketException}, {@link SocketTimeoutException},
 * {@link UnknownHostException}, {@link HttpTimeoutException}), Kafka's {@link RetriableException}
 * (timeouts included), a state store ({@link ProcessorStateException}), interruption. Such a record
 * is not dead-lettered: the stream thread fails and is replaced, and exactly-once processes the
 * record again.
 *
 * <p>Poison: the record itself is bad and would fail forever: {@link IllegalArgumentException} from
 * bad data, Avro and (de)serialisation errors, a {@link ClassCastException}, an image that does not
 * decode (an {@link IOException} that is not a network one), a schema id the registry does not know
 * (another 4xx). It goes to the DLQ and processing goes on. So does a failure of no known kind: a
 * thread that fails on every attempt would stop its partitions, while a DLQ record keeps topic,
 * partition and offset for a replay.
 *
 * <p>An {@link ImageStore.UnavailableException} anywhere in the chain (the shared image store
 * cannot be read now) is transient whatever its cause. A {@link SchemaRegistryException} anywhere
 * in the cause chain decides by its {@code retriable()} (its cause, e.g. the {@link IOException} of
 * a registry closing the connection while it stops, says nothing about the record). Otherwise the
 * chain is walked from its root: the innermost exception of a known kind decides. An {@link
 * IllegalStateException} decides only as the root; wrapping a cause, it is a wrapper.
 */
public final class FailureClassifier {
  private FailureClassifier() {}

  /** What a failure says about the record it happened on. */
  public enum Kind {
    /** The record is bad: dead-letter it and go on. */
    POISON_RECORD,
    /** The record is fine, something around it failed: do not dead-letter, process it again. */
    TRANSIENT
  }

  public static Kind classify(Throwable failure) {
    Optional<SchemaRegistryException> registry =
        Causes.innermost(failure, SchemaRegistryException.class);
    if (registry.isPresent()) {
      return registry.get().retriable() ? Kind.TRANSIENT : Kind.POISON_RECORD;
    }
    if (Causes.innermost(failure, ImageStore.UnavailableException.class).isPresent()) {
      return Kind.TRANSIENT; // the image store cannot be read now (its cause is an IOException)
    }
    for (Throwable t : Causes.rootFirst(failure)) {
      Optional<Kind> known = known(t);
      if (known.isPresent()) {
        return known.get();
      }
    }
    return Kind.POISON_RECORD;
  }

  /** Whether processing the same record again can succeed. */
  public static boolean isRetriable(Throwable failure) {
    return classify(failure) == Kind.TRANSIENT;
  }

  private static Optional<Kind> known(Throwable t) {
    if (t instanceof RetriableException
        || t instanceof java.util.concurrent.TimeoutException
        || t instanceof InterruptedException
        || t instanceof InterruptException
        || t instanceof OrtException
        || t instanceof ModelLoadException
        || t instanceof ProcessorStateException
        || t instanceof IllegalStateException && t.getCause() == null
        || isNetwork(t)) {
      return Optional.of(Kind.TRANSIENT);
    }
    if (t instanceof IllegalArgumentException
        || t instanceof AvroRuntimeException
        || t instanceof SerializationException
        || t instanceof ClassCastException
        || t instanceof IOException) {
      return Optional.of(Kind.POISON_RECORD);
    }
    return Optional.empty();
  }

  private static boolean isNetwork(Throwable t) {
    return t instanceof SocketException
        || t instanceof SocketTimeoutException
        || t instanceof UnknownHostException
        || t instanceof HttpTimeoutException;
  }
}
