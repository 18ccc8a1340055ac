package org.mammotriage.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach a Confluent-compatible schema registry (Confluent, Apicurio ccompat, Karapace).
 *
 * @param url base URL, e.g. {@code https://registry:8081} or {@code
 *     http://apicurio:8080/apis/ccompat/v7}
 * @param basicAuthUserInfo {@code user:password}, or null
 * @param trustStorePath PKCS12 or JKS trust store for TLS, or null for the JVM default
 */
public record RegistrySettings(
    URI url,
    String basicAuthUserInfo,
    String trustStorePath,
    String trustStorePassword,
    String trustStoreType,
    Duration timeout) {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";

  public static RegistrySettings of(String url) {
    return new RegistrySettings(
        URI.create(url), null, null, null, "PKCS12", Duration.ofSeconds(10));
  }

  /** Reads {@code schema.registry.*} keys; empty when no URL is set. */
  public static Optional<RegistrySettings> fromConfig(Map<String, ?> cfg) {
    Object url = cfg.get(URL);
    if (url == null || url.toString().isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        new RegistrySettings(
            URI.create(url.toString().trim()),
            str(cfg.get(BASIC_AUTH_USER_INFO)),
            str(cfg.get(TRUSTSTORE_LOCATION)),
            str(cfg.get(TRUSTSTORE_PASSWORD)),
            cfg.get(TRUSTSTORE_TYPE) == null ? "PKCS12" : cfg.get(TRUSTSTORE_TYPE).toString(),
            Duration.ofMillis(
                cfg.get(TIMEOUT_MS) == null
                    ? 10_000
                    : Long.parseLong(cfg.get(TIMEOUT_MS).toString()))));
  }

  private static String str(Object o) {
    if (o == null) {
      return null;
    }
    String s =
        o instanceof org.apache.kafka.common.config.types.Password p ? p.value() : o.toString();
    return s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "RegistrySettings[url="
        + url
        + ", basicAuth="
        + (basicAuthUserInfo != null)
        + ", trustStore="
        + trustStorePath
        + "]";
  }
}
