package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TransferSyntax;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ingest.testing.Pipelines;
import org.mammotriage.ingest.testing.RecordingPublisher;
import org.mammotriage.ingest.testing.TestImages;

/**
 * DICOM TLS (PS3.15 B.1) with certificates made in the test (openssl): dcmtk's {@code storescu
 * +tls} stores an image when it presents a certificate the SCP trusts, and cannot associate without
 * one or over plain TCP.
 */
class DicomTlsIT {
  @TempDir Path dir;

  private ScpHardeningIT.Tool.Result run(String... cmd) throws Exception {
    ScpHardeningIT.Tool.Result r = ScpHardeningIT.Tool.run(cmd);
    assertThat(r.exitCode()).as(String.join(" ", cmd) + "\n" + r.output()).isZero();
    return r;
  }

  private void certificate(String name) throws Exception {
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        dir.resolve(name + ".key").toString(),
        "-out",
        dir.resolve(name + ".crt").toString());
  }

  @Test
  void shouldStoreOverTlsFromATrustedSenderOnly() throws Exception {
    // given: the SCP's key store, a trust store holding the modality's certificate
    certificate("scp");
    certificate("modality");
    certificate("stranger");
    run(
        "openssl",
        "pkcs12",
        "-export",
        "-passout",
        "pass:secret",
        "-inkey",
        dir.resolve("scp.key").toString(),
        "-in",
        dir.resolve("scp.crt").toString(),
        "-out",
        dir.resolve("scp.p12").toString());
    run(
        "keytool",
        "-importcert",
        "-noprompt",
        "-alias",
        "modality",
        "-file",
        dir.resolve("modality.crt").toString(),
        "-keystore",
        dir.resolve("trust.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "secret");
    MammoConfig cfg =
        ConfigLoader.load(
            IngestConfig.define(CommonConfig.define()),
            null,
            Map.of(),
            Map.of(
                IngestConfig.DICOM_PORT, "0",
                IngestConfig.TLS_ENABLED, "true",
                IngestConfig.TLS_KEYSTORE, dir.resolve("scp.p12").toString(),
                IngestConfig.TLS_KEYSTORE_PASSWORD, "secret",
                IngestConfig.TLS_TRUSTSTORE, dir.resolve("trust.p12").toString(),
                IngestConfig.TLS_TRUSTSTORE_PASSWORD, "secret"));
    RecordingPublisher published = new RecordingPublisher();
    Path file =
        TestImages.mammogram().write(dir.resolve("a.dcm"), TransferSyntax.ExplicitVRLittleEndian);
    try (DicomScp scp =
        new DicomScp(
            ScpSettings.fromConfig(cfg, 1L << 28),
            Pipelines.of(published),
            dir.resolve("spool"),
            new SimpleMeterRegistry())) {
      String port = String.valueOf(scp.port());
      List<String> base = List.of("storescu", "-v", "-aet", "MODALITY", "-aec", "MAMMOTRIAGE");

      // when
      ScpHardeningIT.Tool.Result trusted =
          ScpHardeningIT.Tool.run(
              concat(
                  base,
                  "+tls",
                  dir.resolve("modality.key").toString(),
                  dir.resolve("modality.crt").toString(),
                  "+cf",
                  dir.resolve("scp.crt").toString(),
                  "127.0.0.1",
                  port,
                  file.toString()));
      ScpHardeningIT.Tool.Result stranger =
          ScpHardeningIT.Tool.run(
              concat(
                  base,
                  "+tls",
                  dir.resolve("stranger.key").toString(),
                  dir.resolve("stranger.crt").toString(),
                  "+cf",
                  dir.resolve("scp.crt").toString(),
                  "127.0.0.1",
                  port,
                  file.toString()));
      ScpHardeningIT.Tool.Result plain =
          ScpHardeningIT.Tool.run(concat(base, "127.0.0.1", port, file.toString()));

      // then
      assertThat(trusted.output()).contains("Received Store Response (Success)");
      assertThat(stranger.output()).doesNotContain("Received Store Response");
      assertThat(plain.output()).doesNotContain("Received Store Response");
      assertThat(published.images).hasSize(1);
    }
  }

  private static String[] concat(List<String> base, String... more) {
    List<String> all = new java.util.ArrayList<>(base);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
