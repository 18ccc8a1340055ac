package org.mammotriage.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-test HTTP server that answers the parts of the Confluent Schema Registry REST API the
 * project uses, with Confluent's documented status codes and error bodies (40401, 40403, 409,
 * 42201, 401). Confluent's registry itself is not on Maven Central and cannot run here.
 */
public final class FakeSchemaRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Map<Integer, String> schemas = new LinkedHashMap<>();
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, String> compatibility = new LinkedHashMap<>();
  private final List<String> log = new ArrayList<>();
  private volatile String globalCompatibility = "BACKWARD";
  private volatile String requiredAuth;
  private volatile int[] forcedError;
  private volatile String forcedMessage;
  private volatile int forcedTimes;

  public FakeSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requires HTTP basic auth with user:password from now on. */
  public FakeSchemaRegistry requireBasicAuth(String userInfo) {
    this.requiredAuth =
        "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /**
   * The next request is answered with this status, Confluent error code and message (as a real
   * registry would).
   */
  public FakeSchemaRegistry failNextWith(int status, int errorCode, String message) {
    return failNext(1, status, errorCode, message);
  }

  /** The next {@code times} requests are answered with this status (e.g. 503 while restarting). */
  public synchronized FakeSchemaRegistry failNext(
      int times, int status, int errorCode, String message) {
    this.forcedError = new int[] {status, errorCode};
    this.forcedMessage = message;
    this.forcedTimes = times;
    return this;
  }

  /** Answers normally again (ends {@link #failNext}). */
  public synchronized FakeSchemaRegistry heal() {
    this.forcedError = null;
    this.forcedTimes = 0;
    return this;
  }

  /** The level a subject without its own has (Confluent's default BACKWARD; Apicurio's NONE). */
  public FakeSchemaRegistry globalCompatibility(String level) {
    this.globalCompatibility = level;
    return this;
  }

  /** The subject's own level, or null. */
  public synchronized String subjectCompatibility(String subject) {
    return compatibility.get(subject);
  }

  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  /** Every request so far as {@code METHOD /path}. */
  public synchronized List<String> requests() {
    return List.copyOf(log);
  }

  public int requestCount() {
    return requests.get();
  }

  private synchronized void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    log.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
    try {
      int[] forced = forcedError;
      if (forced != null) {
        if (--forcedTimes <= 0) {
          forcedError = null;
        }
        error(ex, forced[0], forced[1], forcedMessage);
        return;
      }
      if (requiredAuth != null
          && !requiredAuth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        error(ex, 401, 40101, "Unauthorized");
        return;
      }
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      String[] parts = path.split("/");
      if (method.equals("GET") && path.startsWith("/schemas/ids/")) {
        int id = Integer.parseInt(parts[3]);
        String s = schemas.get(id);
        if (s == null) {
          error(ex, 404, 40403, "Schema " + id + " not found");
        } else {
          ok(ex, JSON.createObjectNode().put("schema", s));
        }
      } else if (parts.length >= 2 && parts[1].equals("config")) {
        config(ex, method, parts.length > 2 ? decode(parts[2]) : null);
      } else if (method.equals("GET") && path.equals("/subjects")) {
        ok(ex, JSON.valueToTree(subjects.keySet()));
      } else if (method.equals("POST")
          && parts.length == 4
          && parts[1].equals("subjects")
          && parts[3].equals("versions")) {
        register(ex, java.net.URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
      } else if (method.equals("POST") && parts.length == 3 && parts[1].equals("subjects")) {
        lookup(ex, java.net.URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
      } else {
        error(ex, 404, 404, "HTTP 404 Not Found");
      }
    } catch (RuntimeException e) {
      error(ex, 500, 50001, "Error in the backend data store: " + e);
    }
  }

  private void config(HttpExchange ex, String method, String subject) throws IOException {
    if (method.equals("PUT")) {
      String level = JSON.readTree(ex.getRequestBody()).path("compatibility").asText();
      if (subject == null) {
        globalCompatibility = level;
      } else {
        compatibility.put(subject, level);
      }
      ok(ex, JSON.createObjectNode().put("compatibility", level));
      return;
    }
    String query = ex.getRequestURI().getQuery();
    String own = subject == null ? globalCompatibility : compatibility.get(subject);
    if (own == null && query != null && query.contains("defaultToGlobal=true")) {
      own = globalCompatibility;
    }
    if (own == null) {
      error(ex, 404, 40408, "Subject '" + subject + "' does not have subject-level compatibility");
    } else {
      ok(ex, JSON.createObjectNode().put("compatibilityLevel", own));
    }
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private void register(HttpExchange ex, String subject) throws IOException {
    Schema schema = parseBody(ex);
    if (schema == null) {
      return;
    }
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    for (int id : versions) {
      if (new Schema.Parser().parse(schemas.get(id)).equals(schema)) {
        ok(ex, JSON.createObjectNode().put("id", id));
        return;
      }
    }
    String level = compatibility.getOrDefault(subject, globalCompatibility);
    if (!versions.isEmpty() && !level.equals("NONE")) {
      Schema latest = new Schema.Parser().parse(schemas.get(versions.get(versions.size() - 1)));
      var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest).getType();
      if (result != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        error(
            ex,
            409,
            409,
            "Schema being registered is incompatible with an earlier schema for subject \""
                + subject
                + "\"");
        return;
      }
    }
    int id =
        schemas.entrySet().stream()
            .filter(e -> new Schema.Parser().parse(e.getValue()).equals(schema))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseGet(nextId::getAndIncrement);
    schemas.put(id, schema.toString());
    versions.add(id);
    ok(ex, JSON.createObjectNode().put("id", id));
  }

  private void lookup(HttpExchange ex, String subject) throws IOException {
    Schema schema = parseBody(ex);
    if (schema == null) {
      return;
    }
    List<Integer> versions = subjects.get(subject);
    if (versions == null) {
      error(ex, 404, 40401, "Subject '" + subject + "' not found.");
      return;
    }
    for (int i = 0; i < versions.size(); i++) {
      int id = versions.get(i);
      if (new Schema.Parser().parse(schemas.get(id)).equals(schema)) {
        ok(
            ex,
            JSON.createObjectNode()
                .put("subject", subject)
                .put("id", id)
                .put("version", i + 1)
                .put("schema", schemas.get(id)));
        return;
      }
    }
    error(ex, 404, 40403, "Schema not found");
  }

  private Schema parseBody(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody());
    try {
      return new Schema.Parser().parse(body.path("schema").asText());
    } catch (RuntimeException e) {
      error(ex, 422, 42201, "Invalid schema " + e.getMessage());
      return null;
    }
  }

  private static void ok(HttpExchange ex, JsonNode body) throws IOException {
    send(ex, 200, body.toString());
  }

  private static void error(HttpExchange ex, int status, int code, String message)
      throws IOException {
    send(
        ex,
        status,
        JSON.createObjectNode().put("error_code", code).put("message", message).toString());
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
