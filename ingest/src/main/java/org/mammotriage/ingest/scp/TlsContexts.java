package org.mammotriage.ingest.scp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;

/** The SCP's TLS context from its key store and trust store keys. */
final class TlsContexts {
  private TlsContexts() {}

  static SSLContext fromConfig(MammoConfig cfg) {
    String keystore = cfg.getString(IngestConfig.TLS_KEYSTORE);
    if (keystore.isBlank()) {
      throw new ConfigException(
          IngestConfig.TLS_KEYSTORE, keystore, "is required when ingest.dicom.tls.enabled=true");
    }
    try {
      char[] keyPassword = chars(cfg.getPassword(IngestConfig.TLS_KEYSTORE_PASSWORD));
      KeyStore ks = load(keystore, cfg.getString(IngestConfig.TLS_KEYSTORE_TYPE), keyPassword);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, keyPassword);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      String truststore = cfg.getString(IngestConfig.TLS_TRUSTSTORE);
      tmf.init(
          truststore.isBlank()
              ? null
              : load(
                  truststore,
                  cfg.getString(IngestConfig.TLS_TRUSTSTORE_TYPE),
                  chars(cfg.getPassword(IngestConfig.TLS_TRUSTSTORE_PASSWORD))));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          IngestConfig.TLS_KEYSTORE, keystore, "cannot set up DICOM TLS: " + e.getMessage());
    }
  }

  private static char[] chars(Password p) {
    return p == null ? new char[0] : p.value().toCharArray();
  }

  private static KeyStore load(String file, String type, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      ks.load(in, password);
    }
    return ks;
  }
}
