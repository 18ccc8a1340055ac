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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio's ccompat API
 * and Karapace): register, look up, fetch by id, with caches so each schema costs one call per
 * process.
 */
public final class SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistrySettings settings;
  private final HttpClient http;
  private final String base;
  private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

  public SchemaRegistryClient(RegistrySettings settings) {
    this.settings = settings;
    String u = settings.url().toString();
    this.base = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.timeout());
    if (settings.trustStorePath() != null) {
      b.sslContext(sslContext(settings));
    }
    this.http = b.build();
  }

  /** A result of {@link #lookup}: the registered id and version of a schema under a subject. */
  public record Registered(String subject, int id, int version) {}

  /** Registers (or finds) the schema under the subject and returns its global id. Cached. */
  public int register(String subject, Schema schema) {
    String cacheKey = subject + '\u0000' + schema.toString();
    Integer cached = idBySubjectAndSchema.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    JsonNode reply = call("POST", "/subjects/" + enc(subject) + "/versions", body);
    int id = reply.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          "registry answered without an id when registering " + subject + ": " + reply,
          200,
          -1,
          null);
    }
    idBySubjectAndSchema.put(cacheKey, id);
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

  /** Fetches the writer schema for an id. Cached. */
  public Schema schemaById(int id) {
    return schemaById.computeIfAbsent(
        id,
        i -> {
          JsonNode reply = call("GET", "/schemas/ids/" + i, null);
          String text = reply.path("schema").asText(null);
          if (text == null) {
            throw new SchemaRegistryException(
                "registry reply for schema id " + i + " has no 'schema' field", 200, -1, null);
          }
          return new Schema.Parser().parse(text);
        });
  }

  private JsonNode call(String method, String path, JsonNode body) {
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
              + e.getMessage()
              + "); check schema.registry.url and the network",
          -1,
          -1,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while calling the schema registry", -1, -1, e);
    }
    JsonNode json = parse(resp.body());
    if (resp.statusCode() / 100 == 2) {
      return json;
    }
    int code = json.path("error_code").asInt(resp.statusCode());
    String msg = json.path("message").asText(resp.body());
    throw new SchemaRegistryException(
        describe(resp.statusCode(), code, method, path, msg), resp.statusCode(), code, null);
  }

  private static String describe(int status, int code, String method, String path, String msg) {
    String what =
        switch (status) {
          case 401, 403 -> "not authorised; check schema.registry.basic.auth.user.info";
          case 404 ->
              code == 40401
                  ? "subject not found"
                  : code == 40403 ? "schema not found" : "not found";
          case 409 ->
              "schema is incompatible with the subject's earlier versions; make the change BACKWARD compatible";
          case 422 -> "the registry rejected the schema as invalid";
          default -> "registry error";
        };
    return "schema registry "
        + method
        + " "
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
