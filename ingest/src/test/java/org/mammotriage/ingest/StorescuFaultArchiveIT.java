package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.synth.Patient;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.KafkaTestCluster;
import org.slf4j.LoggerFactory;

/**
 * dcmtk storescu sends a faulted synthetic archive (uncompressed, -xs JPEG lossless, -xv JPEG 2000)
 * to the real SCP against a real broker; every file must get what faults.csv prescribes, and no
 * patient name or ID may appear in Kafka or in the logs.
 */
class StorescuFaultArchiveIT {
  @TempDir static Path dir;
  static KafkaTestCluster kafka;
  static IngestHarness ingest;
  static SyntheticArchive archive;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static Map<String, String> responses = new HashMap<>();
  static Map<String, String[]> faults = new HashMap<>();

  @BeforeAll
  static void sendArchive() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    logs.start();
    kafka = KafkaTestCluster.start();
    archive =
        SyntheticArchive.of(
            SynthOptions.defaults(8, 31).withScale(0.06).withFaults(true).withFaultShare(1.0));
    archive.generate(dir.resolve("archive"));
    for (String line :
        Files.readAllLines(dir.resolve("archive/faults.csv"))
            .subList(1, Files.readAllLines(dir.resolve("archive/faults.csv")).size())) {
      String[] f = line.split(",", -1);
      faults.put(dir.resolve("archive").resolve(f[0]).toString(), f);
    }
    ingest = new IngestHarness(kafka.bootstrapServers(), dir.resolve("spool"), Map.of());
    List<Path> plain = new ArrayList<>();
    List<Path> jpegLossless = new ArrayList<>();
    List<Path> jpeg2000 = new ArrayList<>();
    try (var s = Files.walk(dir.resolve("archive"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList()) {
        String[] f = faults.get(p.toString());
        if (f != null && f[1].equals("JPEG_LOSSLESS")) {
          jpegLossless.add(p);
        } else if (f != null && f[1].equals("JPEG_2000")) {
          jpeg2000.add(p);
        } else {
          plain.add(p);
        }
      }
    }
    assertThat(jpegLossless).isNotEmpty();
    assertThat(jpeg2000).isNotEmpty();
    responses.putAll(Storescu.send(ingest.port(), "MODALITY", List.of(), plain));
    responses.putAll(Storescu.send(ingest.port(), "MODALITY", List.of("-xs"), jpegLossless));
    responses.putAll(Storescu.send(ingest.port(), "MODALITY", List.of("-xv"), jpeg2000));
  }

  @AfterAll
  static void stop() throws Exception {
    ingest.close();
    kafka.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  static List<ConsumerRecord<String, byte[]>> raw(String topic) {
    return kafka.consumeAll(topic, new ByteArrayDeserializer(), Duration.ofSeconds(3));
  }

  @Test
  void shouldPublishEveryValidImageExactlyOnceWithLateralityViewAndPseudonymousKey()
      throws Exception {
    var de = SerdeFactory.singleObject().serde(MammogramImage.class, false).deserializer();
    List<MammogramImage> images =
        raw(Topics.IMAGES.name()).stream().map(r -> de.deserialize("t", r.value())).toList();
    Map<String, Long> perSop =
        images.stream()
            .collect(
                Collectors.groupingBy(MammogramImage::getSopInstanceUid, Collectors.counting()));
    assertThat(perSop.values()).as("no SOP instance published twice").allMatch(c -> c == 1);
    // every manifest row (slotted image) is there with the right laterality and view
    List<String> manifest = Files.readAllLines(dir.resolve("archive/manifest.csv"));
    Map<String, MammogramImage> bySop =
        images.stream().collect(Collectors.toMap(MammogramImage::getSopInstanceUid, i -> i));
    Pseudonymizer p = Pseudonymizer.withSecret(IngestHarness.SECRET);
    for (String row : manifest.subList(1, manifest.size())) {
      String[] c = row.split(",");
      MammogramImage img = bySop.get(c[2]);
      assertThat(img).as("published: %s", c[5]).isNotNull();
      assertThat(img.getLaterality().name()).isEqualTo(c[3]);
      assertThat(img.getView()).isEqualTo(c[4]);
      assertThat(img.getViewModifiers()).isEmpty();
      assertThat(img.getPatientKey()).isEqualTo(p.key(c[0]));
      assertThat(img.getWorkingRows()).isEqualTo(1520);
    }
    long expectedExtras = faults.values().stream().filter(f -> f[2].equals("ACCEPT_EXTRA")).count();
    long extras =
        images.stream()
            .filter(i -> !i.getViewModifiers().isEmpty() || i.getView().equals("XCCL"))
            .count();
    assertThat(extras).isEqualTo(expectedExtras);
    long stored = responses.values().stream().filter("Success"::equals).count();
    long duplicates = faults.values().stream().filter(f -> f[2].equals("ACCEPT_DUPLICATE")).count();
    assertThat(images).hasSize((int) (stored - duplicates));
  }

  @Test
  void shouldGiveEveryFaultFileTheActionFaultsCsvPrescribes() throws Exception {
    var de = SerdeFactory.singleObject().serde(RejectedInstance.class, false).deserializer();
    List<RejectedInstance> dlq =
        raw(Topics.INGEST_DLQ.name()).stream().map(r -> de.deserialize("t", r.value())).toList();
    for (String[] f : faults.values()) {
      String file = dir.resolve("archive").resolve(f[0]).toString();
      String response = responses.get(file);
      switch (f[2]) {
        case "ACCEPT", "ACCEPT_EXTRA", "ACCEPT_DUPLICATE" ->
            assertThat(response).as("%s %s", f[1], f[0]).isEqualTo("Success");
        case "NONE" -> assertThat(response).as("no file for %s", f[1]).isNull();
        case "REJECT" -> {
          if (f[3].equals("CORRUPT")) {
            // storescu cannot even read a truncated file; the importer test covers CORRUPT on the
            // receiving side
            assertThat(response).startsWith("NOT_SENT");
          } else {
            assertThat(response)
                .as("%s %s", f[1], f[0])
                .isNotEqualTo("Success")
                .doesNotStartWith("NO_RESPONSE");
            assertThat(dlq)
                .as("DLQ record for %s", f[0])
                .anySatisfy(
                    r -> {
                      assertThat(r.getReasonCode()).isEqualTo(f[3]);
                      assertThat(r.getSourceAe()).isEqualTo("MODALITY");
                    });
          }
        }
        default -> throw new AssertionError("unknown action " + f[2]);
      }
    }
    // records from the SCP only (the importer test in this class adds CORRUPT ones with stage
    // INGEST_IMPORT)
    assertThat(dlq.stream().filter(r -> r.getStage().equals("INGEST_SCP")))
        .extracting(RejectedInstance::getReasonCode)
        .containsOnly("FOR_PROCESSING", "NOT_MG", "NO_LATERALITY", "TOO_LARGE");
  }

  @Test
  void shouldStayUpAndAnswerEchoAfterwards() throws Exception {
    Process p =
        new ProcessBuilder(
                "echoscu", "-aec", "MAMMOTRIAGE", "127.0.0.1", String.valueOf(ingest.port()))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).isZero();
    assertThat(ingest.scp.isRunning()).isTrue();
  }

  @Test
  void shouldRejectCorruptFilesThroughTheImporterPath() throws Exception {
    List<Path> truncated =
        faults.values().stream()
            .filter(f -> f[1].equals("TRUNCATED"))
            .map(f -> dir.resolve("archive").resolve(f[0]))
            .toList();
    assertThat(truncated).isNotEmpty();
    for (Path t : truncated) {
      Outcome o = ingest.runtime.pipeline().process(t, "IMPORT", "INGEST_IMPORT");
      assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
      assertThat(o.reason()).isEqualTo(Reason.CORRUPT);
    }
  }

  @Test
  void shouldLeakNoPatientNameOrIdIntoKafkaOrLogs() {
    List<String> phi = new ArrayList<>();
    for (Patient p : archive.cohort()) {
      phi.add(p.patientId());
      phi.add(p.name());
      phi.add(p.name().replace('^', ' '));
    }
    List<byte[]> values = new ArrayList<>();
    for (var t : Topics.ALL) {
      raw(t.name()).forEach(r -> values.add(r.value()));
    }
    assertThat(values).isNotEmpty();
    for (byte[] v : values) {
      String s = new String(v, StandardCharsets.ISO_8859_1);
      for (String secret : phi) {
        assertThat(s).doesNotContain(secret);
      }
    }
    List<String> lines =
        new ArrayList<>(logs.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      for (String secret : phi) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }
}
