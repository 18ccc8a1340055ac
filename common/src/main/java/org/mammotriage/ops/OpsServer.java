package org.mammotriage.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** Health (live/ready) and Prometheus metrics over HTTP, for Kubernetes probes and scraping. */
public final class OpsServer implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private volatile BooleanSupplier ready = () -> false;

  private OpsServer(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /** Starts on the port (0 = any free port); -1 gives a server that only holds the registry. */
  public static OpsServer start(int port, PrometheusMeterRegistry registry) throws IOException {
    return start("", port, registry);
  }

  /**
   * Starts on the address and port (empty address: every interface). A port already in use fails
   * with a {@link BindException} that names the port and the key that sets it.
   */
  public static OpsServer start(String bindAddress, int port, PrometheusMeterRegistry registry)
      throws IOException {
    if (port < 0) {
      return new OpsServer(registry, null);
    }
    InetSocketAddress where =
        bindAddress == null || bindAddress.isBlank()
            ? new InetSocketAddress(port)
            : new InetSocketAddress(bindAddress, port);
    HttpServer s;
    try {
      s = HttpServer.create(where, 0);
    } catch (IOException e) {
      BindException b =
          new BindException(
              "cannot listen for HTTP (health, metrics) on "
                  + (bindAddress == null || bindAddress.isBlank() ? "port " + port : where)
                  + " (ops.http.port"
                  + (bindAddress == null || bindAddress.isBlank() ? "" : ", ops.http.bind.address")
                  + "): "
                  + e.getMessage());
      b.initCause(e);
      throw b;
    }
    OpsServer ops = new OpsServer(registry, s);
    s.createContext("/health/live", ex -> ops.reply(ex, 200, "ok\n"));
    s.createContext(
        "/health/ready",
        ex -> {
          boolean r = ops.ready.getAsBoolean();
          ops.reply(ex, r ? 200 : 503, r ? "ready\n" : "not ready\n");
        });
    s.createContext("/metrics", ex -> ops.reply(ex, 200, registry.scrape()));
    s.setExecutor(
        // more than one thread: probes and scrapes are answered while an admin command (a model
        // activation takes seconds) is running
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "ops-http");
              t.setDaemon(true);
              return t;
            }));
    s.start();
    return ops;
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Readiness: e.g. Kafka reachable and the SCP listening. */
  public void setReadiness(BooleanSupplier check) {
    this.ready = check;
  }

  /** Adds an endpoint (e.g. an admin command); ignored by a server started with port -1. */
  public void handle(String path, HttpHandler handler) {
    if (server != null) {
      server.createContext(path, handler);
    }
  }

  public int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  private void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
