package org.mammotriage.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * Reads every decision (the five category topics) and every dead-letter record from the beginning,
 * read_committed, on its own thread, until closed. Keeps all of them, so a second decision for the
 * same exam version would be seen.
 */
final class DecisionCollector implements AutoCloseable {
  static final List<String> DECISION_TOPICS =
      List.of(
          Topics.SUSPICIOUS.name(),
          Topics.ROUTINE.name(),
          Topics.LOW.name(),
          Topics.INCOMPLETE.name(),
          Topics.OUT_OF_DOMAIN.name());

  private final Map<String, List<TriageDecision>> decisions = new HashMap<>();
  private final List<RejectedInstance> rejected = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile RuntimeException failure;

  DecisionCollector(String bootstrap, SerdeFactory serdes) {
    Map<String, Object> p =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, "mammotriage-collector-" + System.nanoTime(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var decisionDe = serdes.serde(TriageDecision.class, false).deserializer();
    var dlqDe = serdes.serde(RejectedInstance.class, false).deserializer();
    thread =
        new Thread(
            () -> {
              try (var c =
                  new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                List<String> topics = new ArrayList<>(DECISION_TOPICS);
                topics.add(Topics.INGEST_DLQ.name());
                c.subscribe(topics);
                while (running.get()) {
                  for (var r : c.poll(Duration.ofMillis(200))) {
                    synchronized (this) {
                      if (r.topic().equals(Topics.INGEST_DLQ.name())) {
                        rejected.add(dlqDe.deserialize(r.topic(), r.headers(), r.value()));
                      } else {
                        TriageDecision d =
                            decisionDe.deserialize(r.topic(), r.headers(), r.value());
                        decisions.computeIfAbsent(d.getExamKey(), k -> new ArrayList<>()).add(d);
                      }
                      notifyAll();
                    }
                  }
                }
              } catch (RuntimeException e) {
                failure = e;
              } finally {
                stopped.countDown();
              }
            },
            "decision-collector");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits until every exam in {@code exams} has a decision; false on timeout. */
  synchronized boolean awaitDecided(Set<String> exams, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!decisions.keySet().containsAll(exams)) {
      if (failure != null) {
        throw failure;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, Math.min(500, left / 1_000_000)));
    }
    return true;
  }

  /** Waits until at least {@code n} dead-letter records arrived; false on timeout. */
  synchronized boolean awaitRejected(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (rejected.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, Math.min(500, left / 1_000_000)));
    }
    return true;
  }

  synchronized int decidedCount() {
    return decisions.size();
  }

  synchronized Map<String, List<TriageDecision>> decisions() {
    Map<String, List<TriageDecision>> copy = new HashMap<>();
    decisions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }

  synchronized List<RejectedInstance> rejected() {
    return List.copyOf(rejected);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    stopped.await();
  }
}
