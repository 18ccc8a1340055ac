package org.mammotriage.ingest.publish;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * Publishes images and rejections with an idempotent, acks=all producer and waits for the
 * acknowledgement: a method that returns normally means the record is in Kafka; otherwise a {@link
 * PublishException} (never a silent loss).
 */
public final class KafkaPublisher implements Publisher {
  private final KafkaProducer<String, MammogramImage> images;
  private final KafkaProducer<String, RejectedInstance> rejects;
  private final long timeoutMs;

  public KafkaPublisher(Map<String, Object> clientProps, SerdeFactory serdes, long timeoutMs) {
    this.timeoutMs = timeoutMs;
    Map<String, Object> p = producerConfig(clientProps, timeoutMs);
    this.images =
        new KafkaProducer<>(
            p, new StringSerializer(), Topics.IMAGES.valueSerde(serdes).serializer());
    Map<String, Object> d = new HashMap<>(p);
    d.put(ProducerConfig.CLIENT_ID_CONFIG, p.get(ProducerConfig.CLIENT_ID_CONFIG) + "-dlq");
    this.rejects =
        new KafkaProducer<>(
            d, new StringSerializer(), Topics.INGEST_DLQ.valueSerde(serdes).serializer());
  }

  /**
   * The image producer's settings: {@code clientProps} with acks=all, idempotence, the image size
   * limit, the timeouts and no linger (one record is sent and awaited at a time). Public so that
   * {@code bench ingest}'s bare producer runs with exactly these settings.
   */
  public static Map<String, Object> producerConfig(
      Map<String, Object> clientProps, long timeoutMs) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeoutMs / 2));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(2000, timeoutMs));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "mammotriage-ingest");
    return p;
  }

  @Override
  public void publish(MammogramImage img) throws PublishException {
    send(
        images,
        new ProducerRecord<>(Topics.IMAGES.name(), img.getStudyInstanceUid(), img),
        img.getSopInstanceUid());
  }

  @Override
  public void reject(RejectedInstance r) throws PublishException {
    String key = r.getStudyInstanceUid() != null ? r.getStudyInstanceUid() : r.getSopInstanceUid();
    send(rejects, new ProducerRecord<>(Topics.INGEST_DLQ.name(), key, r), r.getSopInstanceUid());
  }

  /**
   * Sends and waits for the acknowledgement. {@code send} itself throws for what the serializer or
   * the registry refuses, the future fails for what the broker refuses; each becomes a {@link
   * PublishException} that says whether a retry can help.
   */
  private <V> void send(
      KafkaProducer<String, V> producer, ProducerRecord<String, V> rec, String sop)
      throws PublishException {
    Future<RecordMetadata> f = null;
    try {
      f = producer.send(rec);
      f.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new PublishException(
          "Kafka did not acknowledge " + sop + " within " + timeoutMs + " ms", e);
    } catch (ExecutionException e) {
      throw new PublishException(
          "Kafka refused " + sop + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while waiting for Kafka", e);
    } catch (RuntimeException e) { // from send: the serializer, the registry, a closed producer
      throw new PublishException("cannot send " + sop + " to Kafka: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    images.close(java.time.Duration.ofSeconds(5));
    rejects.close(java.time.Duration.ofSeconds(5));
  }
}
