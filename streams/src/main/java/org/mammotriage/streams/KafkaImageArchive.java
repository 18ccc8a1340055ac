package org.mammotriage.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads single images back from {@code mammo.images.v1} by partition and offset with a plain
 * consumer (no group, read_committed), made from the streams application's client settings (the
 * same bootstrap servers, TLS and SASL) when it is first needed. A fetch takes at most {@link
 * #FETCH_TIMEOUT}; a record that is gone (retention) or not read in time is reported empty.
 */
final class KafkaImageArchive implements ImageArchive {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaImageArchive.class);
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  private final Map<String, Object> props;
  private final Deserializer<MammogramImage> images;
  private KafkaConsumer<byte[], byte[]> consumer;

  KafkaImageArchive(Map<String, Object> appConfigs, Deserializer<MammogramImage> images) {
    this.images = images;
    this.props = new HashMap<>();
    for (Map.Entry<String, Object> e : appConfigs.entrySet()) {
      if (ConsumerConfig.configNames().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES * 2);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES * 2);
    props.put(
        ConsumerConfig.CLIENT_ID_CONFIG,
        appConfigs.getOrDefault("application.id", "mammotriage-streams") + "-image-archive");
  }

  @Override
  public Optional<MammogramImage> fetch(int partition, long offset) {
    TopicPartition tp = new TopicPartition(Topics.IMAGES.name(), partition);
    try {
      if (consumer == null) {
        consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      }
      consumer.assign(List.of(tp));
      long first = consumer.beginningOffsets(List.of(tp), FETCH_TIMEOUT).get(tp);
      long end = consumer.endOffsets(List.of(tp), FETCH_TIMEOUT).get(tp);
      if (offset < first || offset >= end) {
        return gone(tp, offset, "the partition holds offsets " + first + ".." + (end - 1));
      }
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + FETCH_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == offset) {
            return Optional.of(images.deserialize(tp.topic(), r.value()));
          }
          if (r.offset() > offset) {
            return gone(tp, offset, "the log starts after it");
          }
        }
        if (consumer.position(tp) > offset) {
          return gone(tp, offset, "no record there");
        }
      }
      return gone(tp, offset, "not read within " + FETCH_TIMEOUT.toSeconds() + " s");
    } catch (KafkaException e) {
      return gone(tp, offset, e.toString());
    }
  }

  private static Optional<MammogramImage> gone(TopicPartition tp, long offset, String why) {
    LOG.warn("image at {} offset {} cannot be read back: {}", tp, offset, why);
    return Optional.empty();
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
