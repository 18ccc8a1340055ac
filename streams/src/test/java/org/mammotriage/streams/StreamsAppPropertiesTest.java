package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.Topics;
import org.mammotriage.scoring.ScoringConfig;

/** What the streams app's consumers are configured with, as Kafka Streams hands it to them. */
class StreamsAppPropertiesTest {

  static MammoConfig config(Map<String, String> flags) {
    return ConfigLoader.load(
        ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())),
        null,
        Map.of(),
        flags);
  }

  static Map<String, Object> mainConsumer(MammoConfig cfg) {
    return new StreamsConfig(StreamsApp.properties(cfg, EncodeAhead.NONE))
        .getMainConsumerConfigs("g", "c", 0);
  }

  @Test
  void shouldTakeAFetchAPollThroughASocketBufferTheOperatingSystemSizes() {
    MammoConfig cfg = config(Map.of());
    Map<String, Object> main = mainConsumer(cfg);
    assertThat(main.get(ConsumerConfig.RECEIVE_BUFFER_CONFIG)).isEqualTo(-1);
    // a poll takes all one fetch brings (working images of 34 KB and up), so the next one leaves
    int fetch = (Integer) main.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG);
    assertThat(fetch).isEqualTo(Topics.IMAGE_MAX_MESSAGE_BYTES * 2);
    assertThat((Integer) main.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG))
        .isGreaterThanOrEqualTo(fetch / (34 * 1024));
    assertThat(main.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG))
        .isEqualTo(Topics.IMAGE_MAX_MESSAGE_BYTES * 2);
    // the restore consumer reads the small changelog records: Kafka's default stays
    Map<String, Object> restore =
        new StreamsConfig(StreamsApp.properties(cfg, EncodeAhead.NONE))
            .getRestoreConsumerConfigs("c");
    assertThat(restore.get(ConsumerConfig.RECEIVE_BUFFER_CONFIG)).isNotEqualTo(-1);
  }

  @Test
  void shouldKeepASocketBufferTheSiteSet() {
    // pass-through settings reach the client as the strings the site wrote; it parses them
    assertThat(
            mainConsumer(config(Map.of("kafka.receive.buffer.bytes", "262144")))
                .get(ConsumerConfig.RECEIVE_BUFFER_CONFIG))
        .isEqualTo("262144");
    assertThat(
            mainConsumer(config(Map.of("kafka.consumer.receive.buffer.bytes", "131072")))
                .get(ConsumerConfig.RECEIVE_BUFFER_CONFIG))
        .isEqualTo("131072");
    assertThat(
            mainConsumer(config(Map.of("kafka.main.consumer.receive.buffer.bytes", "65536")))
                .get(ConsumerConfig.RECEIVE_BUFFER_CONFIG))
        .isEqualTo("65536");
  }
}
