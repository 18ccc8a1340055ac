package org.mammotriage.ingest.publish;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.registry.RegistrySettings;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.registry.SchemaRegistryException;

/**
 * Whether ingest can store what it receives: Kafka answers a cluster description, and the schema
 * registry, when one is configured, answers a request (any 4xx is an answer). Checked at most every
 * few seconds whatever the probe rate; each check is bounded by a timeout. While this is false the
 * SCP would answer every C-STORE 0xA700 after a long wait, so the process reports not ready.
 */
public final class Readiness implements AutoCloseable {
  private static final long CACHE_MS = 3_000;
  private final Admin admin;
  private final SchemaRegistryClient registry;
  private final long timeoutMs;
  private volatile boolean checked;
  private volatile long checkedAt;
  private volatile boolean ready;
  private volatile String why = "not checked yet";

  public Readiness(
      Map<String, Object> kafkaProps, Map<String, Object> registryProps, long timeoutMs) {
    Map<String, Object> p = new HashMap<>(kafkaProps);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "mammotriage-ingest-readiness");
    p.keySet().retainAll(AdminClientConfig.configNames());
    this.admin = Admin.create(p);
    Optional<RegistrySettings> rs = RegistrySettings.fromConfig(registryProps);
    this.registry = rs.map(SchemaRegistryClient::new).orElse(null);
    this.timeoutMs = timeoutMs;
  }

  /** Ready now (a cached answer when the last check is recent). */
  public synchronized boolean ready() {
    long now = System.nanoTime() / 1_000_000;
    if (checked && now - checkedAt < CACHE_MS) {
      return ready;
    }
    checked = true;
    checkedAt = now;
    ready = kafka() && registry();
    if (ready) {
      why = "ready";
    }
    return ready;
  }

  /** Why the last check said not ready. */
  public String why() {
    return why;
  }

  private boolean kafka() {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
          .nodes()
          .get(timeoutMs + 500, TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
      return false;
    } catch (Exception e) {
      why = "Kafka does not answer: " + e.getClass().getSimpleName();
      return false;
    }
  }

  private boolean registry() {
    if (registry == null) {
      return true;
    }
    try {
      Schema s = RejectedInstance.getClassSchema();
      registry.lookup("mammo.ingest.dlq.v1-value", s);
      return true;
    } catch (SchemaRegistryException e) {
      boolean answered = e.httpStatus() >= 400 && e.httpStatus() < 500;
      if (!answered) {
        why = "the schema registry does not answer: " + e.getMessage();
      }
      return answered;
    } catch (RuntimeException e) {
      why = "the schema registry does not answer: " + e;
      return false;
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
