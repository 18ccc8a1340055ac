package org.mammotriage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads by what they do, from {@code /proc/self/task/<tid>/stat} (user
 * + system ticks) and the thread's name there ({@code comm}: the first 15 characters of a Java
 * thread's name, or the native thread's own name: ONNX Runtime's workers, GC, JIT). A snapshot
 * before and after a window gives where that window's CPU went, native threads included, which
 * {@code ThreadMXBean} does not see. Linux only: elsewhere the snapshot is empty and {@link
 * #report} says so.
 */
final class ThreadCpu {
  private static final Path TASKS = Path.of("/proc/self/task");

  /** Clock ticks per second of {@code stat}'s utime and stime (USER_HZ, 100 on Linux). */
  private static final double HZ = 100.0;

  static final String BROKER = "embedded broker";
  static final String STREAMS = "Kafka Streams threads (stream thread, its clients)";
  static final String PRODUCER = "producer network threads";
  static final String JIT = "JIT compiler";
  static final String ENCODE_AHEAD = "encode-ahead workers";
  static final String BARE_CONSUMER = "bare consumer (fetch floor)";

  private final Map<String, Long> ticksByThread; // "tid comm" -> ticks

  private ThreadCpu(Map<String, Long> ticksByThread) {
    this.ticksByThread = ticksByThread;
  }

  static ThreadCpu now() {
    Map<String, Long> m = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return new ThreadCpu(m);
    }
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path t : tasks.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          // pid (comm) state ppid ... : comm may hold spaces and parentheses, so cut at the last
          // ')'
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          // after the comm: state is field 3; utime and stime are fields 14 and 15
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          m.put(t.getFileName() + " " + comm, ticks);
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return new ThreadCpu(m);
    }
    return new ThreadCpu(m);
  }

  /** CPU seconds by group between {@code before} and this snapshot, largest first. */
  Map<String, Double> since(ThreadCpu before) {
    Map<String, Double> by = new TreeMap<>();
    ticksByThread.forEach(
        (k, ticks) -> {
          long d = ticks - before.ticksByThread.getOrDefault(k, 0L);
          if (d > 0) {
            by.merge(group(k.substring(k.indexOf(' ') + 1)), d / HZ, Double::sum);
          }
        });
    Map<String, Double> sorted = new LinkedHashMap<>();
    by.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /**
   * Thread-name prefixes and their group, first match wins (a Kafka client's own {@code kafka-}
   * threads before the broker's): the names MammoTriage, Kafka, Kafka Streams, HotSpot and ONNX
   * Runtime give their threads, truncated to 15 characters by the kernel.
   */
  private static final List<Map.Entry<String, List<String>>> GROUPS =
      List.of(
          Map.entry(ENCODE_AHEAD, List.of("streams-encode")),
          Map.entry(BARE_CONSUMER, List.of("bench-fetch")),
          Map.entry("scorer (prepare, batcher)", List.of("scoring-")),
          // the stream threads and the clients' own threads: a consumer's heartbeat, an admin
          // client
          Map.entry(
              STREAMS,
              List.of("bench-alone", "bench-streams", "kafka-coordinat", "kafka-admin-cl")),
          Map.entry(PRODUCER, List.of("kafka-producer")),
          Map.entry(
              BROKER,
              List.of(
                  "data-plane",
                  "kafka-",
                  "broker-",
                  "controller-",
                  "group-coordina",
                  "executor-",
                  "TxnMarker",
                  "AddPartitions",
                  "transaction-",
                  "LogDirFailure",
                  "ReplicaFetcher",
                  "Persister",
                  "share-",
                  "quorum-",
                  "raft-")),
          Map.entry(JIT, List.of("C1 ", "C2 ")),
          Map.entry("GC and VM", List.of("GC ", "G1 ", "VM ")),
          Map.entry("common pool (ingest bands, scorer)", List.of("ForkJoinPool")));

  /** What a thread does, from its (truncated) name. */
  static String group(String comm) {
    for (Map.Entry<String, List<String>> g : GROUPS) {
      if (g.getValue().stream().anyMatch(comm::startsWith)) {
        return g.getKey();
      }
    }
    return comm.equals("main") ? "main (bench)" : "other (ONNX Runtime workers, ...)";
  }

  /** One line: total CPU seconds of the window and the groups' shares. */
  static String report(Map<String, Double> bySeconds, double wallSeconds, int exams) {
    if (bySeconds.isEmpty()) {
      return "CPU by thread: not available (no /proc/self/task)";
    }
    double total = bySeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "CPU %.2f s in %.2f s (%.0f%% of %d cores), %.1f ms per exam:",
                total,
                wallSeconds,
                100 * total / wallSeconds / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors(),
                1000 * total / exams));
    bySeconds.forEach(
        (g, s) -> {
          if (s >= 0.005 * total) {
            b.append(
                String.format(
                    Locale.ROOT, " %s %.1f ms (%.0f%%),", g, 1000 * s / exams, 100 * s / total));
          }
        });
    b.setLength(b.length() - 1);
    return b.toString();
  }
}
