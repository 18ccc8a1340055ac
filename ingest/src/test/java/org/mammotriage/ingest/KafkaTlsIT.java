package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * Kafka over TLS end to end (#18): certificates made with keytool in the test (a CA, the broker's
 * and ingest's certificates signed by it, a trust store holding the CA), the embedded broker with
 * an SSL listener that requires client certificates, ingest configured only through the {@code
 * kafka.*} pass-through keys ({@code kafka.security.protocol=SSL}, {@code kafka.ssl.*}), an image
 * sent with storescu and read back by a consumer over TLS. Readiness reports the broker reachable
 * with the certificates and unreachable without them.
 */
class KafkaTlsIT {
  static final String PASSWORD = "changeit-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir Path dir;

  private void keytool(String... args) throws Exception {
    // keytool is a JVM of its own, started a dozen times here: start it lean
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "keytool", "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
    cmd.addAll(List.of(args));
    ScpHardeningIT.Tool.Result r = ScpHardeningIT.Tool.run(cmd.toArray(String[]::new));
    assertThat(r.exitCode()).as(String.join(" ", cmd) + "\n" + r.output()).isZero();
  }

  /**
   * A key pair in name.p12 whose certificate the CA signed, with the CA's certificate beside it.
   */
  private Path signedKeyStore(String name) throws Exception {
    Path ks = dir.resolve(name + ".p12");
    String san = "SAN=ip:127.0.0.1,dns:localhost";
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=" + name,
        "-validity",
        "2",
        "-ext",
        san,
        "-keystore",
        ks.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        ks.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        dir.resolve(name + ".csr").toString());
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        dir.resolve("ca.p12").toString(),
        "-storepass",
        PASSWORD,
        "-infile",
        dir.resolve(name + ".csr").toString(),
        "-outfile",
        dir.resolve(name + ".pem").toString(),
        "-rfc",
        "-validity",
        "2",
        "-ext",
        san);
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        dir.resolve("ca.pem").toString(),
        "-keystore",
        ks.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        "-importcert",
        "-alias",
        name,
        "-file",
        dir.resolve(name + ".pem").toString(),
        "-keystore",
        ks.toString(),
        "-storepass",
        PASSWORD);
    return ks;
  }

  @Test
  void shouldPublishOverTlsAndBeReadBackOverTls() throws Exception {
    // given: a CA, a trust store with it, broker and ingest certificates it signed
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=MammoTriage test CA",
        "-validity",
        "2",
        "-ext",
        "bc:c",
        "-keystore",
        dir.resolve("ca.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        dir.resolve("ca.p12").toString(),
        "-storepass",
        PASSWORD,
        "-file",
        dir.resolve("ca.pem").toString());
    Path trust = dir.resolve("truststore.p12");
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        dir.resolve("ca.pem").toString(),
        "-keystore",
        trust.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    Path brokerKs = signedKeyStore("broker");
    Path ingestKs = signedKeyStore("ingest");

    try (EmbeddedBroker broker =
        EmbeddedBroker.create(
                dir.resolve("kafka"),
                0,
                Map.of(),
                new EmbeddedBroker.Tls(brokerKs, PASSWORD, trust, PASSWORD, "PKCS12", true))
            .start()) {
      Map<String, Object> admin = new HashMap<>(broker.clientProperties());
      admin.put("bootstrap.servers", broker.bootstrapServers());
      try (Admin a = Admin.create(admin)) {
        TopicAdmin.ensureTopics(a, (short) 1, null);
      }
      // ingest's client settings: the documented pass-through keys, its own certificate
      Map<String, String> tls =
          Map.of(
              "kafka.security.protocol",
              "SSL",
              "kafka.ssl.truststore.location",
              trust.toString(),
              "kafka.ssl.truststore.password",
              PASSWORD,
              "kafka.ssl.truststore.type",
              "PKCS12",
              "kafka.ssl.keystore.location",
              ingestKs.toString(),
              "kafka.ssl.keystore.password",
              PASSWORD,
              "kafka.ssl.keystore.type",
              "PKCS12");
      AttributeList image = TestImages.mammogram().build();
      String sop = image.get(TagFromName.SOPInstanceUID).getSingleStringValueOrEmptyString();
      Path file = TestImages.write(image, dir.resolve("image.dcm"));

      // a plaintext ingest cannot reach the broker: not ready
      try (IngestHarness plain =
          new IngestHarness(broker.bootstrapServers(), dir.resolve("spool-plain"), Map.of())) {
        assertThat(plain.runtime.readiness().ready()).isFalse();
      }

      try (IngestHarness ingest =
          new IngestHarness(broker.bootstrapServers(), dir.resolve("spool"), tls)) {
        // when
        assertThat(ingest.runtime.readiness().ready())
            .as(ingest.runtime.readiness().why())
            .isTrue();
        Map<String, String> responses =
            Storescu.send(ingest.port(), "MODALITY", List.of(), List.of(file));

        // then
        assertThat(responses.get(file.toString())).isEqualTo("Success");
      }
      Map<String, Object> consumer = new HashMap<>();
      tls.forEach((k, v) -> consumer.put(k.substring("kafka.".length()), v));
      consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "tls-" + UUID.randomUUID());
      consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.IMAGE_MAX_MESSAGE_BYTES);
      var de = SerdeFactory.singleObject().serde(MammogramImage.class, false).deserializer();
      List<MammogramImage> read = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer())) {
        c.subscribe(List.of(Topics.IMAGES.name()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
            read.add(de.deserialize("t", r.value()));
          }
        }
      }
      assertThat(read).extracting(MammogramImage::getSopInstanceUid).containsExactly(sop);
    }
  }
}
