package org.mammotriage.scoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin command for hot model change, on the ops HTTP port: {@code GET /admin/model} says which
 * model is active; {@code POST /admin/model} with a model directory path as the body activates it
 * (200 with the new and previous model id; 422 with the reason when the directory does not load,
 * the current model staying active). Both need {@code Authorization: Bearer TOKEN}, the token being
 * the content of {@code scoring.admin.token.file}; without that key the endpoint answers 404 and
 * says how to enable it.
 */
public final class ModelAdminHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ModelAdminHandler.class);
  public static final String PATH = "/admin/model";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ModelSwitcher switcher;
  private final byte[] token;

  /** {@code token} null or blank: the endpoint is disabled. */
  public ModelAdminHandler(ModelSwitcher switcher, String token) {
    this.switcher = switcher;
    this.token =
        token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the token from {@code scoring.admin.token.file}; empty path: disabled. */
  public static ModelAdminHandler fromTokenFile(ModelSwitcher switcher, String tokenFile) {
    if (tokenFile == null || tokenFile.isBlank()) {
      return new ModelAdminHandler(switcher, null);
    }
    try {
      String t = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim();
      if (t.length() < 16) {
        throw new IllegalArgumentException(
            ScoringConfig.ADMIN_TOKEN_FILE
                + "="
                + tokenFile
                + " holds a token of "
                + t.length()
                + " characters; use at least 16 random characters (e.g. openssl rand -hex 24)");
      }
      return new ModelAdminHandler(switcher, t);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          ScoringConfig.ADMIN_TOKEN_FILE
              + "="
              + tokenFile
              + " cannot be read ("
              + e.getMessage()
              + "); point it at a file holding the admin token, or leave it empty to disable"
              + " /admin/model",
          e);
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (token == null) {
        reply(
            ex,
            404,
            error(
                "model admin is disabled: set "
                    + ScoringConfig.ADMIN_TOKEN_FILE
                    + " to a file holding a token (the model directory is also watched, see "
                    + ScoringConfig.MODEL_WATCH_INTERVAL_MS
                    + ")"));
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      byte[] given =
          auth != null && auth.startsWith("Bearer ")
              ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8)
              : new byte[0];
      if (!MessageDigest.isEqual(given, token)) {
        reply(ex, 401, error("missing or wrong token: send Authorization: Bearer TOKEN"));
        return;
      }
      switch (ex.getRequestMethod()) {
        case "GET" -> reply(ex, 200, active());
        case "POST" -> {
          String body =
              new String(ex.getRequestBody().readNBytes(4096), StandardCharsets.UTF_8).trim();
          if (body.isEmpty()) {
            reply(ex, 400, error("the request body must be the model directory's path"));
            return;
          }
          String before = switcher.scorer().activeModel().id();
          try {
            switcher.activate(Path.of(body));
            ObjectNode o = active();
            o.put("previous", before);
            reply(ex, 200, o);
          } catch (RuntimeException e) {
            ObjectNode o = error("not activated: " + e.getMessage());
            o.put("model", before);
            reply(ex, 422, o);
          }
        }
        default -> {
          ex.getResponseHeaders().add("Allow", "GET, POST");
          reply(ex, 405, error("use GET to read the active model, POST to activate one"));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("admin request failed: {}", e.toString());
    }
  }

  private ObjectNode active() {
    ModelInfo m = switcher.scorer().activeModel();
    ObjectNode o = JSON.createObjectNode();
    o.put("model", m.id());
    o.put("device", switcher.scorer().device());
    o.put("intended_use", m.intendedUse());
    return o;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }
}
