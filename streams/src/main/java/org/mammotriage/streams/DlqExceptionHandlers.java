package org.mammotriage.streams;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that cannot be deserialised or processed, as {@link FailureClassifier} sorts them: a
 * poison record goes to {@code mammo.ingest.dlq.v1} with its topic, partition and offset (in the
 * same transaction) and the application goes on; a transient failure (scorer, registry, network,
 * Kafka) fails the stream thread without a DLQ record, so the thread is replaced ({@link
 * StreamThreadReplacement}) and exactly-once processes the record again.
 */
public final class DlqExceptionHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(DlqExceptionHandlers.class);

  private DlqExceptionHandlers() {}

  static ProducerRecord<byte[], byte[]> dlq(
      ErrorHandlerContext ctx, String stage, Exception e, SerdeFactory serdes) {
    RejectedInstance r =
        RejectedInstance.newBuilder()
            .setReasonCode(
                stage.equals("STREAMS_DESERIALIZE") ? "UNREADABLE_RECORD" : "PROCESSING_FAILED")
            .setReasonText(String.valueOf(e.getMessage()))
            .setStage(stage)
            .setSourceTopic(ctx.topic())
            .setSourcePartition(ctx.partition())
            .setSourceOffset(ctx.offset())
            .setRejectedAt(Instant.now())
            .build();
    LOG.warn(
        "{} at {}-{}@{}: {} (sent to {})",
        stage,
        ctx.topic(),
        ctx.partition(),
        ctx.offset(),
        e.getMessage(),
        Topics.INGEST_DLQ.name());
    byte[] value =
        Topics.INGEST_DLQ.valueSerde(serdes).serializer().serialize(Topics.INGEST_DLQ.name(), r);
    return new ProducerRecord<>(Topics.INGEST_DLQ.name(), ctx.sourceRawKey(), value);
  }

  /** Logs a transient failure; the record is not dead-lettered. */
  static void logTransient(ErrorHandlerContext ctx, String stage, Exception e) {
    LOG.warn(
        "{} at {}-{}@{}: transient failure, not sent to {}; the stream thread fails and the record"
            + " is processed again: {}",
        stage,
        ctx.topic(),
        ctx.partition(),
        ctx.offset(),
        Topics.INGEST_DLQ.name(),
        e.toString());
  }

  static SerdeFactory serdes(Map<String, ?> configs) {
    return SerdeFactory.fromConfig(configs);
  }

  /** Deserialization failures: an unreadable record is poison, an unreachable registry is not. */
  public static final class Deserialization implements DeserializationExceptionHandler {
    private SerdeFactory serdes = SerdeFactory.singleObject();

    @Override
    public void configure(Map<String, ?> configs) {
      serdes = serdes(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext ctx, ConsumerRecord<byte[], byte[]> record, Exception e) {
      if (FailureClassifier.isRetriable(e)) {
        logTransient(ctx, "STREAMS_DESERIALIZE", e);
        return Response.fail();
      }
      return Response.resume(List.of(dlq(ctx, "STREAMS_DESERIALIZE", e, serdes)));
    }
  }

  /** Processing failures: bad input is poison, a failing scorer or registry is not. */
  public static final class Processing implements ProcessingExceptionHandler {
    private SerdeFactory serdes = SerdeFactory.singleObject();

    @Override
    public void configure(Map<String, ?> configs) {
      serdes = serdes(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
      if (FailureClassifier.isRetriable(e)) {
        logTransient(ctx, "STREAMS_PROCESS", e);
        return Response.fail();
      }
      return Response.resume(List.of(dlq(ctx, "STREAMS_PROCESS", e, serdes)));
    }
  }
}
