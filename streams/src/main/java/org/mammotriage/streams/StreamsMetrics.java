package org.mammotriage.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.scoring.ModelInfo;

/**
 * Exams complete/partial/amended, per category and domain verdict, latency from first and last
 * image to decision, store size, and drift per source ({@link DriftMonitor}).
 */
public final class StreamsMetrics {
  private final MeterRegistry registry;
  private final Counter complete;
  private final Counter partial;
  private final Counter amended;
  private final DistributionSummary fromFirst;
  private final DistributionSummary fromLast;
  private final AtomicLong storeSize = new AtomicLong();
  private final Counter reencoded;
  private final Timer punctuation;
  private final DriftMonitor drift;

  public StreamsMetrics(MeterRegistry registry) {
    this(registry, DriftMonitor.Settings.defaults());
  }

  public StreamsMetrics(MeterRegistry registry, DriftMonitor.Settings drift) {
    this.registry = registry;
    this.drift = new DriftMonitor(registry, drift);
    complete =
        Counter.builder("mammotriage_exams_complete")
            .description("exams released with four views")
            .register(registry);
    partial =
        Counter.builder("mammotriage_exams_partial")
            .description("exams released after the quiet period")
            .register(registry);
    amended =
        Counter.builder("mammotriage_exams_amended")
            .description("exam versions after the first")
            .register(registry);
    fromFirst =
        DistributionSummary.builder("mammotriage_latency_first_image_ms")
            .baseUnit("ms")
            .description("first image to decision")
            .publishPercentileHistogram()
            .register(registry);
    fromLast =
        DistributionSummary.builder("mammotriage_latency_last_image_ms")
            .baseUnit("ms")
            .description("last image to decision")
            .publishPercentileHistogram()
            .register(registry);
    registry.gauge("mammotriage_exam_store_size", storeSize);
    reencoded =
        Counter.builder("mammotriage_views_reencoded")
            .description(
                "views encoded again at release because the model changed after they arrived")
            .register(registry);
    punctuation =
        Timer.builder(PUNCTUATION)
            .description(
                "a wall-clock punctuation of the exam assembly store on the stream thread (quiet"
                    + " period releases and their scoring, removals after retention; the first"
                    + " after a start also indexes the store)")
            .register(registry);
  }

  /** The timer of the assembly store's punctuations. */
  public static final String PUNCTUATION = "mammotriage_exam_store_punctuation";

  void punctuated(long nanos) {
    punctuation.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void reencoded(int views) {
    reencoded.increment(views);
  }

  void released(
      boolean isPartial, boolean isAmended, String category, long msFromFirst, long msFromLast) {
    (isPartial ? partial : complete).increment();
    if (isAmended) {
      amended.increment();
    }
    Counter.builder("mammotriage_exams_scored")
        .tags(Tags.of("category", category))
        .register(registry)
        .increment();
    fromFirst.record(msFromFirst);
    fromLast.record(msFromLast);
  }

  /** A released exam's score record, for the domain-verdict counts and drift monitoring. */
  void examScored(ExamScore score, ModelInfo model) {
    Counter.builder("mammotriage_exams_domain")
        .description("released exams by domain verdict")
        .tags(
            Tags.of(
                "verdict", score.getDomainVerdict() == null ? "NONE" : score.getDomainVerdict()))
        .register(registry)
        .increment();
    drift.record(score, model.id(), model.domain());
  }

  public DriftMonitor drift() {
    return drift;
  }

  void storeSize(long n) {
    storeSize.set(n);
  }

  public double completeCount() {
    return complete.count();
  }

  public double partialCount() {
    return partial.count();
  }
}
