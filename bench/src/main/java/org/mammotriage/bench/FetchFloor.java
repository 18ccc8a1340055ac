package org.mammotriage.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The floor of Kafka's side of the stream with the working images in Kafka: a bare consumer with
 * the stream's main-consumer fetch settings (read_committed as exactly-once reads, the streams
 * app's fetch sizes and records a poll, byte-array keys and values as Kafka Streams' consumer makes
 * them) reads the images topic from its start to given end offsets and does nothing with the
 * records but add up their sizes. Its CPU an exam — the reading thread's (the classic consumer does
 * its network reads, checks and copies on the thread that polls) and the embedded broker's serving
 * the fetches — is what any stream that reads these records pays before doing anything with them,
 * measured on the same broker and the same records as the stream runs.
 */
final class FetchFloor {
  private FetchFloor() {}

  /**
   * One read: CPU ms an exam of the reading thread and of the broker (over the same window), MB of
   * record values an exam, and the read's exams/s.
   */
  record Result(
      double consumerMs, double brokerMs, double mbPerExam, double examsPerSecond, long records) {
    double totalMs() {
      return consumerMs + brokerMs;
    }
  }

  /**
   * The median (by CPU an exam) of {@code rounds} reads of everything before {@code end} with the
   * stream's settings, and of as many with {@code other} on top of them, the two alternating (which
   * goes first alternates too).
   */
  static Result[] measure(
      String bootstrap,
      Map<TopicPartition, Long> end,
      int exams,
      int rounds,
      Map<String, Object> other)
      throws Exception {
    List<Result> app = new ArrayList<>();
    List<Result> alt = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      if (i % 2 == 0) {
        app.add(read(bootstrap, end, exams, Map.of()));
        alt.add(read(bootstrap, end, exams, other));
      } else {
        alt.add(read(bootstrap, end, exams, other));
        app.add(read(bootstrap, end, exams, Map.of()));
      }
    }
    return new Result[] {median(app), median(alt)};
  }

  private static Result median(List<Result> rs) {
    rs.sort(Comparator.comparingDouble(Result::totalMs));
    return rs.get(rs.size() / 2);
  }

  private static Result read(
      String bootstrap, Map<TopicPartition, Long> end, int exams, Map<String, Object> overrides)
      throws Exception {
    Map<String, Object> cp = new java.util.HashMap<>();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-fetch-floor");
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // as StreamsApp sets them for its main consumer
    cp.putAll(org.mammotriage.streams.StreamsApp.imageFetchSettings());
    cp.putAll(overrides);
    CountDownLatch ready = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    long[] sizes = new long[2]; // bytes, records
    Thread t =
        new Thread(
            () -> {
              try (var c =
                  new KafkaConsumer<>(
                      cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.assign(end.keySet());
                c.seekToBeginning(end.keySet());
                end.keySet().forEach(c::position); // resolved before the window opens
                ready.countDown();
                go.await();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (!caughtUp(c, end)) {
                  if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                        "the bare consumer did not reach the end offsets in 5 minutes");
                  }
                  for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    sizes[0] += r.value() == null ? 0 : r.value().length;
                    sizes[1]++;
                  }
                }
                done.countDown();
                release.await(); // alive until its CPU is read: an ended thread leaves /proc
              } catch (Throwable e) {
                failed.set(e);
                ready.countDown();
                done.countDown();
              }
            },
            "bench-fetch-floor");
    t.setDaemon(true);
    t.start();
    ready.await();
    ThreadCpu before = ThreadCpu.now();
    long t0 = System.nanoTime();
    go.countDown();
    done.await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> cpu = ThreadCpu.now().since(before);
    release.countDown();
    t.join();
    if (failed.get() != null) {
      throw new IllegalStateException("bare consumer read failed", failed.get());
    }
    return new Result(
        1000 * cpu.getOrDefault(ThreadCpu.BARE_CONSUMER, 0.0) / exams,
        1000 * cpu.getOrDefault(ThreadCpu.BROKER, 0.0) / exams,
        sizes[0] / 1e6 / exams,
        exams / seconds,
        sizes[1]);
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
