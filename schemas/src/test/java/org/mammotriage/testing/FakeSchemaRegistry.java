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
  private volatile String requiredAuth;
  private volatile int[] forcedError;
  private volatile String forcedMessage;

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
    this.forcedError = new int[] {status, errorCode};
    this.forcedMessage = message;
    return this;
  }

  public int requestCount() {
    return requests.get();
  }

  private synchronized void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try {
      int[] forced = forcedError;
      if (forced != null) {
        forcedError = null;
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
    if (!versions.isEmpty()) {
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
