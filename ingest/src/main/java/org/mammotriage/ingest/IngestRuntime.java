package org.mammotriage.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.publish.KafkaPublisher;
import org.mammotriage.ingest.publish.Readiness;
import org.mammotriage.schemas.serde.SerdeFactory;

/** Builds the ingest pipeline from configuration; owns the Kafka producer. */
public final class IngestRuntime implements AutoCloseable {
  private final KafkaPublisher publisher;
  private final IngestPipeline pipeline;
  private final IngestMetrics metrics;
  private final Pseudonymizer pseudonymizer;
  private final Limits limits;
  private final Readiness readiness;

  public IngestRuntime(MammoConfig cfg, MeterRegistry registry) {
    InstanceDecoder decoder = InstanceDecoder.fromConfig(cfg);
    this.limits = decoder.limits();
    var secret = cfg.getPassword(IngestConfig.PSEUDONYM_SECRET);
    this.pseudonymizer =
        Pseudonymizer.fromConfig(
            cfg.getString(IngestConfig.PSEUDONYM_SECRET_FILE),
            secret == null ? null : secret.value(),
            cfg.getBoolean(IngestConfig.DEMO));
    this.metrics = new IngestMetrics(registry);
    this.publisher =
        new KafkaPublisher(
            cfg.kafkaClientProps(),
            SerdeFactory.fromConfig(cfg.registryProps()),
            cfg.getLong(IngestConfig.PUBLISH_TIMEOUT_MS));
    this.readiness =
        new Readiness(
            cfg.kafkaClientProps(),
            cfg.registryProps(),
            Math.min(5_000, cfg.getLong(IngestConfig.PUBLISH_TIMEOUT_MS)));
    this.pipeline =
        new IngestPipeline(
            decoder,
            pseudonymizer,
            publisher,
            metrics,
            200_000,
            cfg.getInt(IngestConfig.PROCESSING_CONCURRENCY));
  }

  public IngestPipeline pipeline() {
    return pipeline;
  }

  public IngestMetrics metrics() {
    return metrics;
  }

  public Limits limits() {
    return limits;
  }

  public boolean throwAwaySecret() {
    return pseudonymizer.isThrowAway();
  }

  /** Kafka (and the schema registry, when configured) answer: see {@link Readiness}. */
  public Readiness readiness() {
    return readiness;
  }

  @Override
  public void close() {
    readiness.close();
    publisher.close();
  }
}
