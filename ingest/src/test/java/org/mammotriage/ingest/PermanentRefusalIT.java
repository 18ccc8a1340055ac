package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.KafkaTestCluster;

/**
 * Permanent refusals through the real SCP (dcmtk storescu) and a real broker: the sender gets a
 * failure that is not 0xA700 and exactly one DLQ record says why; nothing reaches the image topic.
 */
class PermanentRefusalIT {
  @TempDir static Path dir;
  static KafkaTestCluster kafka;
  static List<Path> files;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestCluster.start();
    SyntheticArchive.of(SynthOptions.defaults(1, 7).withScale(0.05)).generate(dir.resolve("a"));
    try (var s = Files.walk(dir.resolve("a"))) {
      files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().limit(2).toList();
    }
    assertThat(files).hasSize(2);
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  @Test
  void shouldRefuseAnImageTheBrokerFindsTooLargeWithProcessingFailureAndOneDlqRecord()
      throws Exception {
    // given: the image topic takes no record of a working image's size
    ConfigResource images = new ConfigResource(ConfigResource.Type.TOPIC, Topics.IMAGES.name());
    Collection<AlterConfigOp> small =
        List.of(
            new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"),
                AlterConfigOp.OpType.SET));
    try (var admin = kafka.admin()) {
      admin.incrementalAlterConfigs(Map.of(images, small)).all().get();
      // the broker applies a topic config change after the controller accepted it
      org.mammotriage.testing.Await.until(
          Duration.ofSeconds(30),
          () -> {
            try {
              return "1024"
                  .equals(
                      admin
                          .describeConfigs(List.of(images))
                          .all()
                          .get()
                          .get(images)
                          .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                          .value());
            } catch (Exception e) {
              return false;
            }
          },
          () -> "the image topic's max.message.bytes is 1024");
    }
    Path file = files.get(0);
    try (IngestHarness ingest =
        new IngestHarness(kafka.bootstrapServers(), dir.resolve("spool1"), Map.of())) {
      // when
      String response =
          Storescu.send(ingest.port(), "MODALITY", List.of(), List.of(file)).get(file.toString());

      // then
      assertThat(response).as("0x0110 processing failure").contains("0x110");
      assertThat(dlqFor(sop(file)))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.getReasonCode()).isEqualTo("PUBLISH_REJECTED");
                assertThat(r.getStage()).isEqualTo("INGEST_SCP");
                assertThat(r.getReasonText()).contains("larger than the max message size");
              });
      assertThat(
              kafka.consumeAll(
                  Topics.IMAGES.name(), new ByteArrayDeserializer(), Duration.ofSeconds(3)))
          .isEmpty();
      // the received file is deleted after the response, before the association's release
      try (var spooled = Files.list(dir.resolve("spool1"))) {
        assertThat(spooled).as("nothing left in the spool").isEmpty();
      }
    }
  }

  @Test
  void shouldRefuseAnObjectOverTheSizeLimitWithCannotUnderstandAndOneDlqRecord() throws Exception {
    // given: an SCP that keeps no object over 4 KiB
    Path file = files.get(1);
    try (IngestHarness ingest =
        new IngestHarness(
            kafka.bootstrapServers(),
            dir.resolve("spool2"),
            Map.of(IngestConfig.MAX_BYTES, "4096"))) {
      // when
      String response =
          Storescu.send(ingest.port(), "MODALITY", List.of(), List.of(file)).get(file.toString());

      // then
      assertThat(response).contains("CannotUnderstand");
      assertThat(dlqFor(sop(file)))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.getReasonCode()).isEqualTo("TOO_LARGE");
                assertThat(r.getStage()).isEqualTo("INGEST_SCP");
                assertThat(r.getSizeBytes()).isGreaterThan(4096L);
              });
      try (var spooled = Files.list(dir.resolve("spool2"))) {
        assertThat(spooled).as("nothing left in the spool").isEmpty();
      }
    }
  }

  private static List<RejectedInstance> dlqFor(String sop) {
    var de = SerdeFactory.singleObject().serde(RejectedInstance.class, false).deserializer();
    return kafka
        .consumeAll(Topics.INGEST_DLQ.name(), new ByteArrayDeserializer(), Duration.ofSeconds(3))
        .stream()
        .map(r -> de.deserialize("t", r.value()))
        .filter(r -> sop.equals(r.getSopInstanceUid()))
        .toList();
  }

  private static String sop(Path file) throws Exception {
    AttributeList l = new AttributeList();
    l.read(file.toFile());
    return Attribute.getSingleStringValueOrEmptyString(l, TagFromName.SOPInstanceUID);
  }
}
