package org.mammotriage.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio's ccompat API
 * and Karapace): register, look up, fetch by id, read and set a subject's compatibility, a health
 * check.
 *
 * <p>Writers go through {@link #idForWriting}: the first use of a subject checks its compatibility
 * level and registers (or, with {@code auto.register=false}, only looks up) the schema; the id is
 * cached for {@code cache.ttl}, after which it is checked again, and a check that fails because the
 * registry is away keeps the cached id, so an outage does not stop a writer that already knows its
 * schema. Schemas by id are cached for good (an id never changes its schema); an unknown id is
 * never cached, so it is asked again, of every URL, each time.
 *
 * <p>Every call retries transient failures (no answer, 5xx, 408, 429) with a doubling backoff for
 * up to {@code retry.timeout}, trying each URL in turn (fail-over; the last one that answered is
 * tried first). After a call ran out of retries, calls in the next {@code retry.backoff.max} try
 * each URL once without waiting, so a registry that is down costs a caller one round, not the whole
 * retry time, for every record.
 */
public final class SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Waits between retries; a seam so tests control time. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final RegistrySettings settings;
  private final HttpClient http;
  private final List<String> bases;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final Map<String, Cached> idBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  private volatile int preferred;
  private volatile long failFastUntil;
  private volatile boolean failingFast;

  /** A result of {@link #lookup}: the registered id and version of a schema under a subject. */
  public record Registered(String subject, int id, int version) {}

  /** What {@link #health()} found. */
  public record Health(boolean up, String detail) {}

  private record Cached(int id, long checkedAtNanos) {}

  public SchemaRegistryClient(RegistrySettings settings) {
    this(settings, System::nanoTime, d -> Thread.sleep(d.toMillis()));
  }

  /** With a clock and a sleeper of the test's. */
  public SchemaRegistryClient(RegistrySettings settings, LongSupplier nanoTime, Sleeper sleeper) {
    this.settings = settings;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.bases = settings.urls().stream().map(URI::toString).toList();
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.timeout());
    if (settings.trustStorePath() != null) {
      b.sslContext(sslContext(settings));
    }
    this.http = b.build();
  }

  public RegistrySettings settings() {
    return settings;
  }

  /** The subject a value (or key) of {@code schema} on {@code topic} is registered under. */
  public String subject(String topic, boolean isKey, Schema schema) {
    return settings.subjectNameStrategy().subject(topic, isKey, schema);
  }

  /**
   * The id writers put in front of a record of {@code schema} under {@code subject}: cached for
   * {@code cache.ttl}; on first use (and after the ttl) {@link #prepare} checks the subject. A
   * check that fails for a transient reason keeps an id the client already had.
   */
  public int idForWriting(String subject, Schema schema) {
    String key = subject + '\u0000' + schema;
    Cached cached = idBySubjectAndSchema.get(key);
    long now = nanoTime.getAsLong();
    if (cached != null && now - cached.checkedAtNanos() < settings.cacheTtl().toNanos()) {
      return cached.id();
    }
    try {
      Registered r = prepare(subject, schema);
      idBySubjectAndSchema.put(key, new Cached(r.id(), nanoTime.getAsLong()));
      schemaById.putIfAbsent(r.id(), schema);
      return r.id();
    } catch (SchemaRegistryException e) {
      if (cached != null && e.retriable()) {
        LOG.warn(
            "schema registry check of {} failed ({}); writing on with cached schema id {}",
            subject,
            e.getMessage(),
            cached.id());
        idBySubjectAndSchema.put(key, new Cached(cached.id(), nanoTime.getAsLong()));
        return cached.id();
      }
      throw e;
    }
  }

  /**
   * What a writer does once per subject: with {@code auto.register}, raises the subject's
   * compatibility to the configured level when it is weaker, then registers the schema (the
   * registry checks it against earlier versions: 409 when incompatible); without, looks the schema
   * up (absent: a retriable failure naming subject and schema, so nothing is dead-lettered while an
   * operator registers it) and checks that the subject's level is at least the configured one.
   */
  public Registered prepare(String subject, Schema schema) {
    CompatibilityLevel required = settings.compatibility();
    if (settings.autoRegister()) {
      if (required != null) {
        Optional<CompatibilityLevel> current = compatibility(subject);
        if (current.isEmpty() || !current.get().satisfies(required)) {
          setCompatibility(subject, required);
          LOG.info(
              "schema registry subject {}: compatibility {} -> {}",
              subject,
              current.map(Enum::name).orElse("(unset)"),
              required);
        }
      }
      return new Registered(subject, register(subject, schema), -1);
    }
    Registered r;
    try {
      r = lookup(subject, schema);
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() != 404) {
        throw e;
      }
      throw new SchemaRegistryException(
          "schema registry has "
              + (e.errorCode() == 40401 ? "no subject " + subject : "subject " + subject)
              + (e.errorCode() == 40401 ? "" : " but not this schema")
              + ": schema "
              + schema.getFullName()
              + " (fingerprint "
              + fingerprint(schema)
              + ") is not registered and schema.registry.auto.register is false; register it"
              + " first ('mammotriage schemas register' or the registry's own tooling), or set"
              + " schema.registry.auto.register=true",
          e.httpStatus(),
          e.errorCode(),
          true,
          e);
    }
    if (required != null) {
      CompatibilityLevel current = compatibility(subject).orElse(CompatibilityLevel.NONE);
      if (!current.satisfies(required)) {
        throw new SchemaRegistryException(
            "schema registry subject "
                + subject
                + " has compatibility "
                + current
                + ", weaker than "
                + required
                + " (schema.registry.compatibility); with schema.registry.auto.register=false the"
                + " registry's owners set it (PUT /config/"
                + subject
                + "), or set schema.registry.compatibility empty to skip the check",
            200,
            -1,
            true,
            null);
      }
    }
    return r;
  }

  /** Registers (or finds) the schema under the subject and returns its global id. Not cached. */
  public int register(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode reply = call("POST", "/subjects/" + enc(subject) + "/versions", body);
    int id = reply.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          "registry answered without an id when registering " + subject + ": " + reply,
          200,
          -1,
          false,
          null);
    }
    schemaById.putIfAbsent(id, schema);
    return id;
  }

  /** Looks up an already registered schema under a subject without registering it. */
  public Registered lookup(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode reply = call("POST", "/subjects/" + enc(subject), body);
    return new Registered(
        reply.path("subject").asText(subject),
        reply.path("id").asInt(),
        reply.path("version").asInt());
  }

  /**
   * Fetches the writer schema for an id. Cached; an id no URL knows is a permanent failure (the
   * record names a schema this registry never had) and is asked again next time.
   */
  public Schema schemaById(int id) {
    Schema s = schemaById.get(id);
    if (s != null) {
      return s;
    }
    JsonNode reply = call("GET", "/schemas/ids/" + id, null);
    String text = reply.path("schema").asText(null);
    if (text == null) {
      throw new SchemaRegistryException(
          "registry reply for schema id " + id + " has no 'schema' field", 200, -1, false, null);
    }
    Schema parsed = new Schema.Parser().parse(text);
    Schema prev = schemaById.putIfAbsent(id, parsed);
    return prev != null ? prev : parsed;
  }

  /**
   * The subject's compatibility level (the global one when the subject has none of its own or does
   * not exist yet); empty when the registry reports none.
   */
  public Optional<CompatibilityLevel> compatibility(String subject) {
    JsonNode reply;
    try {
      reply = call("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null);
    } catch (SchemaRegistryException e) {
      if (e.httpStatus() != 404) {
        throw e;
      }
      reply = call("GET", "/config", null);
    }
    String level = reply.path("compatibilityLevel").asText(reply.path("compatibility").asText(""));
    return level.isBlank() ? Optional.empty() : Optional.of(CompatibilityLevel.parse(level));
  }

  /** Sets the subject's compatibility level. */
  public void setCompatibility(String subject, CompatibilityLevel level) {
    call(
        "PUT",
        "/config/" + enc(subject),
        JSON.createObjectNode().put("compatibility", level.name()));
  }

  /**
   * Whether a registry answers: one request to each URL (the global config), no retries. For
   * readiness probes.
   */
  public Health health() {
    StringBuilder why = new StringBuilder();
    for (int i = 0; i < bases.size(); i++) {
      int idx = (preferred + i) % bases.size();
      try {
        send(idx, "GET", "/config", null);
        return new Health(true, "schema registry at " + bases.get(idx) + " answers");
      } catch (SchemaRegistryException e) {
        why.append(why.isEmpty() ? "" : "; ").append(e.getMessage());
      }
    }
    return new Health(false, why.toString());
  }

  /** CRC-64-AVRO of the schema's parsing canonical form, as a hex number. */
  static String fingerprint(Schema schema) {
    return String.format("%016x", SchemaNormalization.parsingFingerprint64(schema));
  }

  /** One call with retries over every URL; see the class comment. */
  private JsonNode call(String method, String path, JsonNode body) {
    long start = nanoTime.getAsLong();
    boolean fastOnly = failingFast && start - failFastUntil < 0;
    Duration backoff = settings.retryBackoff();
    while (true) {
      try {
        JsonNode reply = round(method, path, body);
        failingFast = false;
        return reply;
      } catch (SchemaRegistryException e) {
        boolean worthRetrying = e.retriable() && e.httpStatus() != 401 && e.httpStatus() != 403;
        long elapsed = nanoTime.getAsLong() - start;
        if (!worthRetrying) {
          throw e;
        }
        if (fastOnly || elapsed + backoff.toNanos() > settings.retryTimeout().toNanos()) {
          failFastUntil = nanoTime.getAsLong() + settings.retryBackoffMax().toNanos();
          failingFast = true;
          throw e;
        }
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new SchemaRegistryException(
              "interrupted while waiting to retry the schema registry", -1, -1, true, ie);
        }
        long doubled = Math.min(backoff.toMillis() * 2, settings.retryBackoffMax().toMillis());
        backoff = Duration.ofMillis(Math.max(1, doubled));
      }
    }
  }

  /**
   * Each URL once, from the preferred one: the first answer that is not a transient failure wins.
   * For a schema id, a 404 moves on too (another replica may know it).
   */
  private JsonNode round(String method, String path, JsonNode body) {
    SchemaRegistryException last = null;
    int start = preferred;
    for (int i = 0; i < bases.size(); i++) {
      int idx = (start + i) % bases.size();
      try {
        JsonNode reply = send(idx, method, path, body);
        if (idx != preferred) {
          if (last != null) {
            LOG.warn("schema registry: failed over to {}", bases.get(idx));
          }
          preferred = idx;
        }
        return reply;
      } catch (SchemaRegistryException e) {
        boolean unknownId = e.httpStatus() == 404 && path.startsWith("/schemas/ids/");
        if (!e.retriable() && !unknownId) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private JsonNode send(int idx, String method, String path, JsonNode body) {
    String base = bases.get(idx);
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(settings.timeout())
            .header("Accept", CONTENT_TYPE + ", application/json");
    if (settings.basicAuthUserInfo() != null) {
      rb.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8)));
    }
    if (body != null) {
      rb.header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "schema registry at "
              + base
              + " is unreachable ("
              + e
              + "); check schema.registry.url and the network",
          -1,
          -1,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          "interrupted while calling the schema registry", -1, -1, true, e);
    }
    JsonNode json = parse(resp.body());
    if (resp.statusCode() / 100 == 2) {
      return json;
    }
    int code = json.path("error_code").asInt(resp.statusCode());
    String msg = json.path("message").asText(resp.body());
    throw new SchemaRegistryException(
        describe(base, resp.statusCode(), code, method, path, msg), resp.statusCode(), code, null);
  }

  private static String describe(
      String base, int status, int code, String method, String path, String msg) {
    String what =
        switch (status) {
          case 401, 403 -> "not authorised; check schema.registry.basic.auth.user.info";
          case 404 ->
              code == 40401
                  ? "subject not found"
                  : code == 40403 ? "schema not found" : "not found";
          case 409 ->
              "schema is incompatible with the subject's earlier versions; make the change BACKWARD"
                  + " compatible";
          case 422 ->
              code == 42201 || code == 422
                  ? "the registry rejected the schema as invalid"
                  : "the registry refused the request (error_code " + code + ")";
          default -> status >= 500 ? "registry failure (will be retried)" : "registry error";
        };
    return "schema registry "
        + method
        + " "
        + base
        + path
        + " failed: HTTP "
        + status
        + " (error_code "
        + code
        + "): "
        + what
        + " - "
        + msg;
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("message", body);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static SSLContext sslContext(RegistrySettings s) {
    try (InputStream in = Files.newInputStream(Path.of(s.trustStorePath()))) {
      KeyStore ks = KeyStore.getInstance(s.trustStoreType());
      ks.load(in, s.trustStorePassword() == null ? null : s.trustStorePassword().toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot load the schema registry trust store "
              + s.trustStorePath()
              + " ("
              + e.getMessage()
              + "); check schema.registry.ssl.truststore.location/password/type",
          e);
    }
  }
}
