package org.mammotriage.app;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.schemas.TopicAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mammotriage broker}: a single-node KRaft Kafka in this JVM with the project's topics. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description =
        "Start a single-node KRaft Kafka broker+controller in this JVM and create the project's topics. Ctrl-C stops it.")
public final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "target/broker-data",
      description =
          "Log and metadata directory; formatted on first start, reused after (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--partitions",
      description = "Partitions for every topic (default: the registry's per-topic value).")
  Integer partitions;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    EmbeddedBroker broker = EmbeddedBroker.create(dataDir, port).start();
    List<String> created;
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      created = TopicAdmin.ensureTopics(admin, (short) 1, partitions);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stopping broker ...");
                  broker.stop();
                  stopped.countDown();
                },
                "broker-shutdown"));
    System.out.printf(
        "Kafka broker ready: bootstrap=%s  started in %.1f s  topics created: %d  data: %s%n",
        broker.bootstrapServers(), secs, created.size(), broker.dataDir());
    System.out.println("Press Ctrl-C to stop.");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
