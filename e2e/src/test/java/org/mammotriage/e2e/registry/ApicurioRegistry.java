package org.mammotriage.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mammotriage.testing.Await;

/**
 * A real Apicurio Registry 3 (its Confluent-compatible API at {@code /apis/ccompat/v7}) in a child
 * JVM, for the subscriber ITs: the {@code -all} distribution the e2e build unpacks from Maven into
 * {@code target/apicurio}, run with a Java 21+ found on the machine, bound to loopback on free
 * ports, its data in an H2 file so a restart keeps every schema and id. Stopped on close.
 */
public final class ApicurioRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Path work;
  private final int port;
  private final int managementPort;
  private Process process;
  private int starts;

  private ApicurioRegistry(Path work, int port, int managementPort) {
    this.work = work;
    this.port = port;
    this.managementPort = managementPort;
  }

  /** Starts a registry keeping its data and logs under {@code work}. */
  public static ApicurioRegistry start(Path work) throws Exception {
    Files.createDirectories(work);
    ApicurioRegistry r = new ApicurioRegistry(work, freePort(), freePort());
    r.startProcess();
    return r;
  }

  /** The Confluent-API base URL, as {@code schema.registry.url} takes it. */
  public String url() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the registry (SIGTERM, then kill) and waits until it is gone. */
  public void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  /** Starts it again on the same port with the same data. */
  public void restart() throws Exception {
    stop();
    startProcess();
  }

  /** GET on the Confluent API; the reply's status and body. */
  public Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).GET());
  }

  /** POST of a JSON body on the Confluent API. */
  public Reply post(String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url() + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** An HTTP answer. */
  public record Reply(int status, JsonNode body) {}

  private static Reply send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r =
        HTTP.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()));
  }

  private void startProcess() throws Exception {
    Path home = home();
    Path log = work.resolve("apicurio-" + (++starts) + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java().toString(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dapicurio.datasource.url=jdbc:h2:file:" + work.resolve("db").toAbsolutePath(),
                "-jar",
                home.resolve("quarkus-run.jar").toString()));
    process =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Process p = process;
    // a test JVM that dies (or is killed by a timeout) takes the registry with it
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "apicurio-stop"));
    Await.until(
        Duration.ofSeconds(120),
        () -> !p.isAlive() || answers(),
        () -> "Apicurio Registry to answer on " + url() + "; log " + log);
    assertThat(p.isAlive()).as("Apicurio Registry exited (%s): %s", cmd, tail(log)).isTrue();
  }

  private boolean answers() {
    try {
      return get("/config").status() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** The unpacked {@code -all} distribution (e2e's pom unpacks it in pre-integration-test). */
  static Path home() {
    Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio")).toAbsolutePath();
    assertThat(home.resolve("quarkus-run.jar"))
        .as(
            "Apicurio Registry unpacked by the e2e build (mvn verify runs the unpack in"
                + " pre-integration-test)")
        .isRegularFile();
    return home;
  }

  /**
   * A {@code java} of version 21 or later: {@code $MAMMOTRIAGE_REGISTRY_JAVA}, else the newest JDK
   * under /usr/lib/jvm, else the running one.
   */
  static Path java() throws IOException {
    String env = System.getenv("MAMMOTRIAGE_REGISTRY_JAVA");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> s = Files.list(jvms)) {
        Optional<Path> best =
            s.filter(d -> Files.isExecutable(d.resolve("bin/java")))
                .filter(d -> featureVersion(d) >= 21)
                .max(Comparator.comparingInt(ApicurioRegistry::featureVersion));
        if (best.isPresent()) {
          return best.get().resolve("bin/java");
        }
      }
    }
    if (Runtime.version().feature() >= 21) {
      return Path.of(System.getProperty("java.home"), "bin", "java");
    }
    throw new AssertionError(
        "Apicurio Registry 3 needs Java 21 or later and none was found under /usr/lib/jvm; install"
            + " one (e.g. a Temurin 25) or set MAMMOTRIAGE_REGISTRY_JAVA to its bin/java");
  }

  private static int featureVersion(Path jdk) {
    try {
      String release = Files.readString(jdk.resolve("release"), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
