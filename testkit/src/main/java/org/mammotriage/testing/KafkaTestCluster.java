package org.mammotriage.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;

/**
 * A real single-node KRaft cluster for integration tests (KafkaClusterTestKit), with the project's
 * topics.
 */
public final class KafkaTestCluster implements AutoCloseable {
  private final KafkaClusterTestKit kit;

  private KafkaTestCluster(KafkaClusterTestKit kit) {
    this.kit = kit;
  }

  /** Starts a combined broker+controller node and creates every topic of the registry. */
  public static KafkaTestCluster start() throws Exception {
    return start(Map.of());
  }

  public static KafkaTestCluster start(Map<String, String> brokerProps) throws Exception {
    KafkaClusterTestKit.Builder b =
        new KafkaClusterTestKit.Builder(
            new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build());
    Map<String, String> defaults =
        Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "3",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "3",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            "message.max.bytes", Integer.toString(Topics.IMAGE_MAX_MESSAGE_BYTES),
            "auto.create.topics.enable", "false");
    defaults.forEach(b::setConfigProp);
    brokerProps.forEach(b::setConfigProp);
    KafkaClusterTestKit kit = b.build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    KafkaTestCluster c = new KafkaTestCluster(kit);
    try (Admin admin = c.admin()) {
      TopicAdmin.ensureTopics(admin, (short) 1, null);
    }
    return c;
  }

  public String bootstrapServers() {
    return kit.bootstrapServers();
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** Consumer properties (read_committed, from the beginning, a fresh group). */
  public Properties consumerProps() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * Topics.IMAGE_MAX_MESSAGE_BYTES);
    return p;
  }

  /**
   * Reads a topic from the beginning until {@code done} holds for what was read, or the timeout
   * passes (then returns what it has; the caller's assertion says what was missing).
   */
  public <V> List<ConsumerRecord<String, V>> consumeUntil(
      String topic,
      Deserializer<V> valueDeserializer,
      Predicate<List<ConsumerRecord<String, V>>> done,
      Duration timeout) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> c =
        new KafkaConsumer<>(
            consumerProps(),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            valueDeserializer)) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && !done.test(out)) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Reads everything currently in a topic: stops after it has seen nothing new for {@code quiet}.
   */
  public <V> List<ConsumerRecord<String, V>> consumeAll(
      String topic, Deserializer<V> valueDeserializer, Duration quiet) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> c =
        new KafkaConsumer<>(
            consumerProps(),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            valueDeserializer)) {
      c.subscribe(List.of(topic));
      long lastNew = System.nanoTime();
      while (System.nanoTime() - lastNew < quiet.toNanos()) {
        var recs = c.poll(Duration.ofMillis(200));
        if (!recs.isEmpty()) {
          recs.forEach(out::add);
          lastNew = System.nanoTime();
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    kit.close();
  }
}
