package org.mammotriage.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach and use a Confluent-compatible schema registry (Confluent, Apicurio ccompat,
 * Karapace).
 *
 * @param urls base URLs, tried in turn when one does not answer (fail-over), e.g. {@code
 *     http://apicurio:8080/apis/ccompat/v7}
 * @param basicAuthUserInfo {@code user:password}, or null
 * @param trustStorePath PKCS12 or JKS trust store for TLS, or null for the JVM default
 * @param timeout one HTTP request
 * @param autoRegister true: writers register their schema; false: they only look it up (a governed
 *     registry) and fail with the subject and schema named when it is absent
 * @param compatibility the level writers' subjects must have (set when weaker and {@code
 *     autoRegister}, else checked); null leaves subjects as they are
 * @param subjectNameStrategy how subjects are named
 * @param cacheTtl how long a subject's registration is trusted before it is checked again (a failed
 *     check keeps the cached id)
 * @param retryBackoff first wait before a transient failure is retried, doubling
 * @param retryBackoffMax longest wait between two tries
 * @param retryTimeout how long one call keeps retrying before it reports the transient failure
 */
public record RegistrySettings(
    List<URI> urls,
    String basicAuthUserInfo,
    String trustStorePath,
    String trustStorePassword,
    String trustStoreType,
    Duration timeout,
    boolean autoRegister,
    CompatibilityLevel compatibility,
    SubjectNameStrategy subjectNameStrategy,
    Duration cacheTtl,
    Duration retryBackoff,
    Duration retryBackoffMax,
    Duration retryTimeout) {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";
  public static final String AUTO_REGISTER = "schema.registry.auto.register";
  public static final String COMPATIBILITY = "schema.registry.compatibility";
  public static final String SUBJECT_NAME_STRATEGY = "schema.registry.subject.name.strategy";
  public static final String CACHE_TTL_MS = "schema.registry.cache.ttl.ms";
  public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
  public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
  public static final String RETRY_TIMEOUT_MS = "schema.registry.retry.timeout.ms";

  public RegistrySettings {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException(URL + " names no registry");
    }
    urls = List.copyOf(urls);
  }

  /**
   * One or more comma-separated URLs with the defaults: auto-register, BACKWARD, topic names, 5 min
   * cache, retries for 5 s.
   */
  public static RegistrySettings of(String urls) {
    return new RegistrySettings(
        parseUrls(urls),
        null,
        null,
        null,
        "PKCS12",
        Duration.ofSeconds(10),
        true,
        CompatibilityLevel.BACKWARD,
        SubjectNameStrategy.TOPIC,
        Duration.ofMinutes(5),
        Duration.ofMillis(100),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5));
  }

  /** Reads {@code schema.registry.*} keys; empty when no URL is set. */
  public static Optional<RegistrySettings> fromConfig(Map<String, ?> cfg) {
    Object url = cfg.get(URL);
    if (url == null || url.toString().isBlank()) {
      return Optional.empty();
    }
    RegistrySettings d = of(url.toString());
    String compat = str(cfg.get(COMPATIBILITY));
    return Optional.of(
        new RegistrySettings(
            d.urls(),
            str(cfg.get(BASIC_AUTH_USER_INFO)),
            str(cfg.get(TRUSTSTORE_LOCATION)),
            str(cfg.get(TRUSTSTORE_PASSWORD)),
            cfg.get(TRUSTSTORE_TYPE) == null ? "PKCS12" : cfg.get(TRUSTSTORE_TYPE).toString(),
            millis(cfg, TIMEOUT_MS, d.timeout()),
            cfg.get(AUTO_REGISTER) == null
                ? d.autoRegister()
                : Boolean.parseBoolean(cfg.get(AUTO_REGISTER).toString().trim()),
            cfg.containsKey(COMPATIBILITY)
                ? (compat == null ? null : CompatibilityLevel.parse(compat))
                : d.compatibility(),
            cfg.get(SUBJECT_NAME_STRATEGY) == null
                ? d.subjectNameStrategy()
                : SubjectNameStrategy.parse(cfg.get(SUBJECT_NAME_STRATEGY).toString()),
            millis(cfg, CACHE_TTL_MS, d.cacheTtl()),
            millis(cfg, RETRY_BACKOFF_MS, d.retryBackoff()),
            millis(cfg, RETRY_BACKOFF_MAX_MS, d.retryBackoffMax()),
            millis(cfg, RETRY_TIMEOUT_MS, d.retryTimeout())));
  }

  /** The first URL (the one tried first). */
  public URI url() {
    return urls.get(0);
  }

  public RegistrySettings withAutoRegister(boolean on) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        timeout,
        on,
        compatibility,
        subjectNameStrategy,
        cacheTtl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  public RegistrySettings withCompatibility(CompatibilityLevel level) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        timeout,
        autoRegister,
        level,
        subjectNameStrategy,
        cacheTtl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  public RegistrySettings withSubjectNameStrategy(SubjectNameStrategy s) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        timeout,
        autoRegister,
        compatibility,
        s,
        cacheTtl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  public RegistrySettings withBasicAuth(String userInfo) {
    return new RegistrySettings(
        urls,
        userInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        timeout,
        autoRegister,
        compatibility,
        subjectNameStrategy,
        cacheTtl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  public RegistrySettings withTrustStore(String path, String password, String type) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        path,
        password,
        type,
        timeout,
        autoRegister,
        compatibility,
        subjectNameStrategy,
        cacheTtl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  public RegistrySettings withCacheTtl(Duration ttl) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        timeout,
        autoRegister,
        compatibility,
        subjectNameStrategy,
        ttl,
        retryBackoff,
        retryBackoffMax,
        retryTimeout);
  }

  /** Request timeout and retry timing (0 retry timeout: one round over the URLs, no retry). */
  public RegistrySettings withTiming(
      Duration requestTimeout, Duration backoff, Duration backoffMax, Duration retryFor) {
    return new RegistrySettings(
        urls,
        basicAuthUserInfo,
        trustStorePath,
        trustStorePassword,
        trustStoreType,
        requestTimeout,
        autoRegister,
        compatibility,
        subjectNameStrategy,
        cacheTtl,
        backoff,
        backoffMax,
        retryFor);
  }

  static List<URI> parseUrls(String urls) {
    List<URI> out = new ArrayList<>();
    for (String u : urls.split(",")) {
      String t = u.trim();
      if (!t.isEmpty()) {
        URI uri = URI.create(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
        if (uri.getScheme() == null || uri.getHost() == null) {
          throw new IllegalArgumentException(
              URL + ": '" + t + "' is not an http(s) URL such as http://registry:8081");
        }
        out.add(uri);
      }
    }
    return out;
  }

  private static Duration millis(Map<String, ?> cfg, String key, Duration dflt) {
    Object v = cfg.get(key);
    return v == null || v.toString().isBlank()
        ? dflt
        : Duration.ofMillis(Long.parseLong(v.toString().trim()));
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
    return "RegistrySettings[urls="
        + urls
        + ", basicAuth="
        + (basicAuthUserInfo != null)
        + ", trustStore="
        + trustStorePath
        + ", autoRegister="
        + autoRegister
        + ", compatibility="
        + compatibility
        + ", subjects="
        + subjectNameStrategy.label()
        + "]";
  }
}
