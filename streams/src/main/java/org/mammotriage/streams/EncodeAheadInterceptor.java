package org.mammotriage.streams;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The main consumer's interceptor that hands every poll's records to the app's {@link EncodeAhead}
 * (given in the consumer config under {@link EncodeAhead#INSTANCE_CONFIG}), so images are encoded
 * while the stream thread works on the records before them. It changes no record; a stream thread
 * replaced after a failure gets a new consumer with the same instance.
 */
public final class EncodeAheadInterceptor implements ConsumerInterceptor<byte[], byte[]> {
  private EncodeAhead ahead = EncodeAhead.NONE;

  @Override
  public void configure(Map<String, ?> configs) {
    Object o = configs.get(EncodeAhead.INSTANCE_CONFIG);
    if (!(o instanceof EncodeAhead a)) {
      throw new IllegalArgumentException(
          EncodeAheadInterceptor.class.getSimpleName()
              + " needs an "
              + EncodeAhead.class.getSimpleName()
              + " under "
              + EncodeAhead.INSTANCE_CONFIG
              + " (StreamsApp sets it)");
    }
    ahead = a;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    ahead.offer(records);
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {} // the app closes its EncodeAhead after the streams
}
