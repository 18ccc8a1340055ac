package org.mammotriage.ingest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.config.ConfigException;

/**
 * The pseudonymous patient key: HMAC-SHA256 of PatientID with a secret that never leaves ingest.
 */
public final class Pseudonymizer {
  private final SecretKeySpec key;
  private final boolean throwAway;

  private Pseudonymizer(byte[] secret, boolean throwAway) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.throwAway = throwAway;
  }

  /**
   * From the secret file, else the secret value; demo mode gets a random throw-away secret. Refuses
   * otherwise.
   */
  public static Pseudonymizer fromConfig(String secretFile, String secret, boolean demo) {
    if (secretFile != null && !secretFile.isBlank()) {
      try {
        byte[] s = Files.readString(Path.of(secretFile)).trim().getBytes(StandardCharsets.UTF_8);
        if (s.length < 16) {
          throw new ConfigException(
              IngestConfig.PSEUDONYM_SECRET_FILE,
              secretFile,
              "the secret must be at least 16 characters (e.g. openssl rand -hex 32 > FILE)");
        }
        return new Pseudonymizer(s, false);
      } catch (java.io.IOException e) {
        throw new ConfigException(
            IngestConfig.PSEUDONYM_SECRET_FILE, secretFile, "cannot read it: " + e.getMessage());
      }
    }
    if (secret != null && !secret.isBlank()) {
      if (secret.length() < 16) {
        throw new ConfigException(
            IngestConfig.PSEUDONYM_SECRET, "[hidden]", "the secret must be at least 16 characters");
      }
      return new Pseudonymizer(secret.getBytes(StandardCharsets.UTF_8), false);
    }
    if (demo) {
      byte[] s = new byte[32];
      new SecureRandom().nextBytes(s);
      return new Pseudonymizer(s, true);
    }
    throw new ConfigException(
        "no pseudonymisation secret: set "
            + IngestConfig.PSEUDONYM_SECRET_FILE
            + " (a file with at least 16 random characters, e.g. openssl rand -hex 32 > /etc/mammotriage/hmac) or run with"
            + " --demo for a throw-away secret. Patient IDs are never sent to Kafka in the clear.");
  }

  public static Pseudonymizer withSecret(String secret) {
    return new Pseudonymizer(secret.getBytes(StandardCharsets.UTF_8), false);
  }

  public boolean isThrowAway() {
    return throwAway;
  }

  public String key(String patientId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of()
          .formatHex(mac.doFinal(patientId.trim().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
