package org.mammotriage.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.TopicSpec;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.registry.RegistrySettings;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.FakeSchemaRegistry;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.SampleRecords;

/**
 * A real KRaft broker: every topic created, every record round-tripped in both wire formats, 8 MiB
 * images.
 */
class BrokerRoundTripIT {
  private static KafkaTestCluster kafka;
  private static FakeSchemaRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestCluster.start();
    registry = new FakeSchemaRegistry();
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
    kafka.close();
  }

  @Test
  void shouldCreateEveryTopicOfTheRegistryWithItsConfigs() throws Exception {
    try (Admin admin = kafka.admin()) {
      Set<String> names = admin.listTopics().names().get();
      for (TopicSpec<?> t : Topics.ALL) {
        assertThat(names).contains(t.name());
      }
      var res = new ConfigResource(ConfigResource.Type.TOPIC, Topics.IMAGES.name());
      ConfigEntry e =
          admin.describeConfigs(List.of(res)).all().get().get(res).get("max.message.bytes");
      assertThat(Integer.parseInt(e.value())).isEqualTo(Topics.IMAGE_MAX_MESSAGE_BYTES);
      assertThat(TopicAdmin.ensureTopics(admin, (short) 1, null))
          .as("second run creates nothing")
          .isEmpty();
    }
  }

  @Test
  void shouldRoundTripOneRecordOfEachSchemaInBothWireFormats() {
    Map<TopicSpec<?>, SpecificRecord> samples = new HashMap<>();
    samples.put(
        Topics.IMAGES, SampleRecords.image("9.1", "9.1.1", Laterality.L, "CC", new byte[] {7, 7}));
    samples.put(Topics.INGEST_DLQ, SampleRecords.rejected());
    samples.put(Topics.SCORES, SampleRecords.score());
    samples.put(Topics.ROUTINE, SampleRecords.decision());
    for (SerdeFactory f :
        List.of(
            SerdeFactory.singleObject(),
            SerdeFactory.registry(new SchemaRegistryClient(RegistrySettings.of(registry.url()))))) {
      for (var e : samples.entrySet()) {
        SpecificRecord got = produceAndReadBack(e.getKey(), e.getValue(), f);
        assertThat(got)
            .as("%s via %s", e.getKey().name(), f.usesRegistry() ? "registry" : "single-object")
            .isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void shouldAcceptAnEightMebibyteImageRecord() throws Exception {
    byte[] png = new byte[8 * 1024 * 1024];
    new Random(1).nextBytes(png); // incompressible
    MammogramImage big = SampleRecords.image("8.8", "8.8.8", Laterality.R, "CC", png);
    Serde<MammogramImage> serde = Topics.IMAGES.valueSerde(SerdeFactory.singleObject());
    try (KafkaProducer<String, MammogramImage> p =
        new KafkaProducer<>(producerProps(), new StringSerializer(), serde.serializer())) {
      RecordMetadata md = p.send(new ProducerRecord<>(Topics.IMAGES.name(), "8.8", big)).get();
      assertThat(md.serializedValueSize()).isGreaterThan(8 * 1024 * 1024);
    }
    var read =
        kafka.consumeUntil(
            Topics.IMAGES.name(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            l -> l.stream().anyMatch(r -> r.key().equals("8.8")),
            Duration.ofSeconds(30));
    byte[] bytes =
        read.stream().filter(r -> r.key().equals("8.8")).findFirst().orElseThrow().value();
    MammogramImage back = serde.deserializer().deserialize(Topics.IMAGES.name(), bytes);
    assertThat(back.getWorkingImagePng().remaining()).isEqualTo(png.length);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private SpecificRecord produceAndReadBack(TopicSpec spec, SpecificRecord value, SerdeFactory f) {
    Serde serde = spec.valueSerde(f);
    String key = "k-" + System.nanoTime();
    try (KafkaProducer<String, Object> p =
        new KafkaProducer<>(producerProps(), new StringSerializer(), serde.serializer())) {
      p.send(new ProducerRecord<>(spec.name(), key, value)).get();
    } catch (Exception ex) {
      throw new AssertionError(ex);
    }
    // the topic holds records in both wire formats: read bytes, decode only this test's record
    var read =
        kafka.consumeUntil(
            spec.name(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            l -> l.stream().anyMatch(r -> r.key().equals(key)),
            Duration.ofSeconds(30));
    byte[] bytes =
        read.stream()
            .filter(r -> r.key().equals(key))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("record " + key + " not read back from " + spec.name()))
            .value();
    return (SpecificRecord) serde.deserializer().deserialize(spec.name(), bytes);
  }

  private Map<String, Object> producerProps() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true,
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Topics.IMAGE_MAX_MESSAGE_BYTES);
  }
}
