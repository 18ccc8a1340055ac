package org.mammotriage.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mammotriage.ingest.dicom.Reason;

/** Ingest counters for Prometheus and the periodic log line. */
public final class IngestMetrics {
  private final MeterRegistry registry;
  private final Counter received;
  private final Counter accepted;
  private final Counter duplicates;
  private final Counter failed;
  private final Counter bytes;
  private final Timer preprocess;
  private final ConcurrentHashMap<String, AtomicLong> rejectedByReason = new ConcurrentHashMap<>();

  public IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    received =
        Counter.builder("mammotriage_ingest_received")
            .description("instances received")
            .register(registry);
    accepted =
        Counter.builder("mammotriage_ingest_accepted")
            .description("instances published to Kafka")
            .register(registry);
    duplicates =
        Counter.builder("mammotriage_ingest_duplicates")
            .description("instances already published")
            .register(registry);
    failed =
        Counter.builder("mammotriage_ingest_transient_failures")
            .description("instances refused for a transient reason (Kafka)")
            .register(registry);
    bytes =
        Counter.builder("mammotriage_ingest_bytes")
            .description("DICOM bytes received")
            .register(registry);
    preprocess =
        Timer.builder("mammotriage_ingest_preprocess")
            .description("decode and preprocess time")
            .register(registry);
  }

  void received(long size) {
    received.increment();
    bytes.increment(size);
  }

  void accepted() {
    accepted.increment();
  }

  void duplicate() {
    duplicates.increment();
  }

  void transientFailure() {
    failed.increment();
  }

  void rejected(Reason reason) {
    rejectedByReason
        .computeIfAbsent(
            reason.code(),
            r -> {
              AtomicLong a = new AtomicLong();
              registry.gauge(
                  "mammotriage_ingest_rejected",
                  io.micrometer.core.instrument.Tags.of("reason", r),
                  a);
              return a;
            })
        .incrementAndGet();
  }

  Timer preprocessTimer() {
    return preprocess;
  }

  public String summary() {
    return String.format(
        Locale.ROOT,
        "received %.0f, accepted %.0f, duplicates %.0f, transient failures %.0f, rejected %s,"
            + " %.1f MB, preprocessing mean %.0f ms",
        received.count(),
        accepted.count(),
        duplicates.count(),
        failed.count(),
        new java.util.TreeMap<>(rejectedByReason),
        bytes.count() / 1e6,
        preprocess.mean(java.util.concurrent.TimeUnit.MILLISECONDS));
  }
}
