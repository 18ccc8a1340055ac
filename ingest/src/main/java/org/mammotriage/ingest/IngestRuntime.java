package org.mammotriage.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.publish.KafkaPublisher;
import org.mammotriage.ingest.publish.Readiness;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the ingest pipeline from configuration; owns the Kafka producer. */
public final class IngestRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestRuntime.class);
  private final KafkaPublisher publisher;
  private final IngestPipeline pipeline;
  private final IngestMetrics metrics;
  private final Pseudonymizer pseudonymizer;
  private final Limits limits;
  private final Readiness readiness;
  private final ImageStore images;
  private final ScheduledExecutorService sweeper;

  public IngestRuntime(MammoConfig cfg, MeterRegistry registry) {
    this.images = ImageStore.open(cfg.getString(CommonConfig.IMAGES_STORE_DIR));
    this.sweeper = images.enabled() ? sweeper(images, cfg) : null;
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
            cfg.getInt(IngestConfig.PROCESSING_CONCURRENCY),
            images);
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

  /** The image store working images go to ({@link ImageStore#NONE}: they travel in Kafka). */
  public ImageStore images() {
    return images;
  }

  /**
   * Sweeps the image store at start and then hourly: images not stored again within {@code
   * images.store.retention.ms} are deleted. Every ingest instance sweeps; deletes are idempotent.
   */
  private static ScheduledExecutorService sweeper(ImageStore images, MammoConfig cfg) {
    Duration retention = Duration.ofMillis(cfg.getLong(CommonConfig.IMAGES_STORE_RETENTION_MS));
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "image-store-sweeper");
              t.setDaemon(true);
              return t;
            });
    s.scheduleWithFixedDelay(
        () -> {
          try {
            int n = images.sweep(retention);
            if (n > 0) {
              LOG.info(
                  "image store {}: deleted {} images older than {}", images.dir(), n, retention);
            }
          } catch (IOException | RuntimeException e) {
            LOG.warn(
                "image store {}: sweep failed, will try again in an hour: {}",
                images.dir(),
                e.toString());
          }
        },
        0,
        1,
        TimeUnit.HOURS);
    return s;
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    readiness.close();
    publisher.close();
  }
}
