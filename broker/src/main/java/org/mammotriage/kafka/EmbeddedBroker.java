package org.mammotriage.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one JVM), formatted on first start. Used by
 * {@code mammotriage broker}, the demo, and integration tests that must stop and restart a broker.
 * Needs {@code org.apache.kafka:kafka_2.13} on the class path.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private final Path dataDir;
  private final String host;
  private final int port;
  private final int controllerPort;
  private final Map<String, String> overrides;
  private final Tls tls;
  private KafkaRaftServer server;
  private Duration lastStartup = Duration.ZERO;

  private EmbeddedBroker(
      Path dataDir,
      String host,
      int port,
      int controllerPort,
      Map<String, String> overrides,
      Tls tls) {
    this.dataDir = dataDir;
    this.host = host;
    this.port = port;
    this.controllerPort = controllerPort;
    this.overrides = Map.copyOf(overrides);
    this.tls = tls;
  }

  /**
   * TLS for the client listener: the broker's key store (its certificate, with 127.0.0.1 among its
   * subject alternative names), the trust store clients' certificates are checked against, and
   * whether clients must present one (mutual TLS). Stores of any type the JDK reads (PKCS12, JKS).
   */
  public record Tls(
      Path keyStore,
      String keyStorePassword,
      Path trustStore,
      String trustStorePassword,
      String storeType,
      boolean clientAuth) {}

  /**
   * A broker on the given port (0 = a free one) storing its logs in dataDir (created if missing).
   */
  public static EmbeddedBroker create(Path dataDir, int port, Map<String, String> overrides)
      throws IOException {
    return create(dataDir, port, overrides, null);
  }

  /** As {@link #create(Path, int, Map)}, with the client listener on TLS when tls is not null. */
  public static EmbeddedBroker create(
      Path dataDir, int port, Map<String, String> overrides, Tls tls) throws IOException {
    Files.createDirectories(dataDir);
    int p = port == 0 ? freePort() : port;
    return new EmbeddedBroker(dataDir.toAbsolutePath(), "127.0.0.1", p, freePort(), overrides, tls);
  }

  /**
   * What a Kafka client needs besides bootstrap.servers to talk to this broker: nothing in
   * plaintext; security.protocol=SSL and the trust store (and, with client auth, the same key store
   * the broker has, which its CA signed) with TLS.
   */
  public Map<String, Object> clientProperties() {
    Map<String, Object> c = new java.util.LinkedHashMap<>();
    if (tls != null) {
      c.put("security.protocol", "SSL");
      c.put("ssl.truststore.location", tls.trustStore().toString());
      c.put("ssl.truststore.password", tls.trustStorePassword());
      c.put("ssl.truststore.type", tls.storeType());
      if (tls.clientAuth()) {
        c.put("ssl.keystore.location", tls.keyStore().toString());
        c.put("ssl.keystore.password", tls.keyStorePassword());
        c.put("ssl.keystore.type", tls.storeType());
      }
    }
    return c;
  }

  public static EmbeddedBroker create(Path dataDir, int port) throws IOException {
    return create(dataDir, port, Map.of());
  }

  /** Formats the storage when it is new, starts the server and waits until it answers. */
  public synchronized EmbeddedBroker start() throws Exception {
    if (server != null) {
      return this;
    }
    long t0 = System.nanoTime();
    Properties props = properties();
    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      format();
    }
    server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    awaitReady(Duration.ofSeconds(60));
    lastStartup = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "embedded Kafka broker up at {} in {} ms (data {})",
        bootstrapServers(),
        lastStartup.toMillis(),
        dataDir);
    return this;
  }

  public String bootstrapServers() {
    return host + ":" + port;
  }

  public Duration lastStartupTime() {
    return lastStartup;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean isRunning() {
    return server != null;
  }

  /**
   * Stops the broker; the data stays, so {@link #start()} brings back the same topics and records.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
    LOG.info("embedded Kafka broker at {} stopped", bootstrapServers());
  }

  @Override
  public void close() {
    stop();
  }

  Properties properties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String listener = tls == null ? "PLAINTEXT" : "SSL";
    p.put(
        "listeners",
        listener + "://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", listener + "://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", listener);
    p.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    if (tls != null) {
      p.put("ssl.keystore.location", tls.keyStore().toString());
      p.put("ssl.keystore.password", tls.keyStorePassword());
      p.put("ssl.keystore.type", tls.storeType());
      p.put("ssl.truststore.location", tls.trustStore().toString());
      p.put("ssl.truststore.password", tls.trustStorePassword());
      p.put("ssl.truststore.type", tls.storeType());
      p.put("ssl.client.auth", tls.clientAuth() ? "required" : "none");
    }
    p.put("log.dirs", dataDir.toString());
    p.put("metadata.log.dir", dataDir.toString());
    // A single node: internal topics must not wait for replicas that will never exist.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    p.put(
        "message.max.bytes",
        Integer.toString(org.mammotriage.schemas.Topics.IMAGE_MAX_MESSAGE_BYTES));
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.putAll(overrides);
    return p;
  }

  private void format() throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    new Formatter()
        .setPrintStream(quiet)
        .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(dataDir.toString()))
        .setMetadataLogDirectory(dataDir.toString())
        .setControllerListenerName("CONTROLLER")
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    Map<String, Object> conf = new java.util.HashMap<>(clientProperties());
    conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
    try (Admin admin = Admin.create(conf)) {
      while (System.nanoTime() < deadline) {
        try {
          admin.describeCluster().nodes().get(4, TimeUnit.SECONDS);
          admin.listTopics().names().get(4, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          last = e;
        }
      }
    }
    throw new IllegalStateException("embedded broker did not become ready within " + timeout, last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
