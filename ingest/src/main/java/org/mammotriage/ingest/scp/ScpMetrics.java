package org.mammotriage.ingest.scp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** What the SCP counts: open connections, refusals, timeouts and abnormal ends, by kind. */
final class ScpMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  ScpMetrics(MeterRegistry registry, Supplier<Number> openConnections) {
    this.registry = registry;
    Gauge.builder("mammotriage_ingest_dicom_connections", openConnections)
        .description("DICOM connections open (associated or awaiting their A-ASSOCIATE-RQ)")
        .register(registry);
  }

  /** An association refused with A-ASSOCIATE-RJ or a connection closed before it associated. */
  void refused(String reason) {
    count("mammotriage_ingest_dicom_refused", "reason", reason, "connections refused, by reason");
  }

  /** A wait that ran out: request (ARTIM), idle or read. */
  void timeout(String kind) {
    count("mammotriage_ingest_dicom_timeouts", "kind", kind, "DICOM timeouts, by kind");
  }

  /** An association that ended other than by release: peer_abort, pdu_too_long, protocol, tls. */
  void ended(String how) {
    count("mammotriage_ingest_dicom_ended_abnormally", "how", how, "associations ended abnormally");
  }

  void associated() {
    count("mammotriage_ingest_dicom_associations", "result", "accepted", "associations accepted");
  }

  private void count(String name, String tag, String value, String description) {
    counters
        .computeIfAbsent(
            name + "|" + value,
            k -> Counter.builder(name).tag(tag, value).description(description).register(registry))
        .increment();
  }
}
