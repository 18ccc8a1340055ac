package org.mammotriage.streams;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ModelSwitcher;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.scoring.ScoringConfig;

/**
 * Runs the triage topology against a Kafka cluster: exactly-once v2, DLQ handlers that tell poison
 * records from transient failures, stream threads replaced after a backoff, the model's scorer.
 */
public final class StreamsApp implements AutoCloseable {
  private final OnnxExamScorer scorer;
  private final ModelSwitcher switcher;
  private final EncodeAhead ahead;
  private final KafkaStreams streams;

  public StreamsApp(MammoConfig cfg, Path modelDir, MeterRegistry registry) {
    this.scorer =
        OnnxExamScorer.fromConfig(modelDir, new java.util.HashMap<String, Object>(cfg.values()));
    this.switcher =
        new ModelSwitcher(
            scorer, modelDir, cfg.getLong(ScoringConfig.MODEL_WATCH_INTERVAL_MS), registry);
    SerdeFactory serdes = SerdeFactory.fromConfig(cfg.registryProps());
    TriageSettings settings = TriageSettings.from(cfg);
    this.ahead = encodeAhead(cfg, scorer, settings, serdes);
    FunctionCounter.builder("mammotriage_images_encoded_ahead", ahead, a -> a.hits())
        .description("arriving images whose encoding was made ahead of the stream thread")
        .register(registry);
    FunctionCounter.builder("mammotriage_images_encoded_on_stream_thread", ahead, a -> a.misses())
        .description("arriving images the stream thread encoded itself (none made ahead)")
        .register(registry);
    FunctionCounter.builder(
            "mammotriage_images_encode_ahead_run_by_stream_thread", ahead, a -> a.ranByTaker())
        .description(
            "encodings offered ahead that the stream thread ran itself because no worker had"
                + " started them (workers busy: more streams.encode.ahead.threads may help when"
                + " cores are idle)")
        .register(registry);
    FunctionCounter.builder(
            "mammotriage_encode_ahead_workers_idle_seconds", ahead, a -> a.workersIdleNanos() / 1e9)
        .description(
            "time the encode-ahead workers waited for images, summed over the workers: near"
                + " zero while the stream works through a backlog, unless the stream thread's"
                + " polls keep them waiting")
        .register(registry);
    FunctionCounter.builder(
            "mammotriage_encode_ahead_waits_before_poll", ahead, a -> a.waitsBeforePoll())
        .description(
            "times a stream thread waited for the encodings of the exams it held before a poll"
                + " that would not return images at once (streams.encode.ahead.lookahead): at the"
                + " end of each burst on a quiet stream, rarely in a backlog")
        .register(registry);
    var topology =
        ExamTriageTopology.build(
            settings,
            scorer,
            serdes,
            new StreamsMetrics(registry, TriageStreamsConfig.driftSettings(cfg)),
            cfg.getBoolean(TriageStreamsConfig.JSON_MIRROR),
            ahead);
    this.streams =
        ahead.lookahead() > 0
            ? new KafkaStreams(topology, properties(cfg, ahead), new LagAwareClients(ahead))
            : new KafkaStreams(topology, properties(cfg, ahead));
    // transient failures (FailureClassifier) end here: the thread is replaced after a backoff
    // and exactly-once processes its records again
    streams.setUncaughtExceptionHandler(new StreamThreadReplacement());
  }

  /** The encode-ahead pool {@code streams.encode.ahead.threads} asks for ({@code NONE} for 0). */
  static EncodeAhead encodeAhead(
      MammoConfig cfg, OnnxExamScorer scorer, TriageSettings settings, SerdeFactory serdes) {
    int n = cfg.getInt(TriageStreamsConfig.ENCODE_AHEAD_THREADS);
    if (n == 0) {
      return EncodeAhead.NONE;
    }
    return new EncodeAhead(
        scorer,
        settings,
        () -> Topics.IMAGES.valueSerde(serdes).deserializer(),
        n < 0 ? Runtime.getRuntime().availableProcessors() : n,
        cfg.getInt(TriageStreamsConfig.ENCODE_AHEAD_LOOKAHEAD));
  }

  /**
   * Kafka's own clients, with each stream thread's main consumer made known to the {@link
   * EncodeAhead} ({@link EncodeAhead#moreComing}: whether the thread's next poll returns images at
   * once, read on the thread itself from what the consumer's last fetch said of the partition's
   * end). (Kafka's own supplier, {@code DefaultKafkaClientSupplier}, is internal API: not
   * extended.)
   */
  static final class LagAwareClients implements org.apache.kafka.streams.KafkaClientSupplier {
    private final EncodeAhead ahead;

    LagAwareClients(EncodeAhead ahead) {
      this.ahead = ahead;
    }

    @Override
    public org.apache.kafka.clients.admin.Admin getAdmin(java.util.Map<String, Object> config) {
      return org.apache.kafka.clients.admin.Admin.create(config);
    }

    @Override
    public org.apache.kafka.clients.producer.Producer<byte[], byte[]> getProducer(
        java.util.Map<String, Object> config) {
      return new org.apache.kafka.clients.producer.KafkaProducer<>(
          config,
          new org.apache.kafka.common.serialization.ByteArraySerializer(),
          new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    @Override
    public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getConsumer(
        java.util.Map<String, Object> config) {
      var c = plain(config);
      Object id = config.get(ConsumerConfig.CLIENT_ID_CONFIG);
      ahead.registerMainConsumer(id == null ? null : id.toString(), c);
      return c;
    }

    @Override
    public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getRestoreConsumer(
        java.util.Map<String, Object> config) {
      return plain(config);
    }

    @Override
    public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getGlobalConsumer(
        java.util.Map<String, Object> config) {
      return plain(config);
    }

    private static org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> plain(
        java.util.Map<String, Object> config) {
      return new org.apache.kafka.clients.consumer.KafkaConsumer<>(
          config,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }
  }

  static Properties properties(MammoConfig cfg) {
    return properties(cfg, EncodeAhead.NONE);
  }

  /** Records a poll of the images topic: more than one fetch of working images holds. */
  static final int IMAGE_POLL_RECORDS = 500;

  /** The exactly-once commit interval unless {@code kafka.commit.interval.ms} says otherwise. */
  static final long DEFAULT_COMMIT_INTERVAL_MS = 1000;

  /**
   * How the stream's consumers fetch {@code mammo.images.v1}, whose records carry working images of
   * 0.25-0.45 MB.
   *
   * <p>One poll takes everything one fetch brought, so that the next fetch leaves with it: fetches
   * of at most two of the largest records' worth ({@code fetch.max.bytes} = {@code
   * max.partition.fetch.bytes}, about 55 working images, 14 exams) and up to 500 records a poll
   * (all of a fetch down to images of 34 KB). Kafka Streams works through every record it holds
   * before it polls again, and the classic consumer sends a partition's next fetch only once that
   * partition's records are all handed out; with 50 records a poll out of 32 MB fetches (what this
   * was) a fetch was handed out as 50, 50 and a few, the next fetch left with the few, and the
   * stream thread waited for it in the next poll while the encode-ahead pool, which gets images
   * only as polls return them, had nothing to do: its workers idle 9-11 % of the time against 2-3 %
   * with the image store's 1 KB records. With a fetch a poll, the transfer overlaps the whole
   * batch's work and the workers idle 5-7 % ({@code ./run bench streams --alone}, "the workers
   * idle"); what is left is the poll's own copy of the batch and a batch's last image, which the
   * stream thread going on past encodings not done takes off ({@code
   * streams.encode.ahead.lookahead}, {@link ExamAssembler}).
   *
   * <p>For the main consumer the socket receive buffer is left to the operating system ({@code
   * receive.buffer.bytes} -1, autotuned up to {@code net.ipv4.tcp_rmem}) instead of Kafka's fixed
   * 64 KiB, through which each fetch of several MB would otherwise pass in 64 KiB turns of the
   * broker and the stream thread (which reads the socket only inside {@code poll()}). Measured with
   * a bare consumer reading the same records ({@code ./run bench streams --alone}, "the floor of
   * Kafka's side"): a third to a half less CPU an exam for the reader and the broker together
   * (0.49-0.64 of the 64 KiB figure). A {@code kafka.receive.buffer.bytes} (or its {@code
   * consumer.} / {@code main.consumer.} form) set by the site is kept.
   */
  public static java.util.Map<String, Object> imageFetchSettings() {
    return java.util.Map.of(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        Topics.IMAGE_MAX_MESSAGE_BYTES * 2,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
        Topics.IMAGE_MAX_MESSAGE_BYTES * 2,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        IMAGE_POLL_RECORDS,
        ConsumerConfig.RECEIVE_BUFFER_CONFIG,
        -1);
  }

  /**
   * The streams properties; when {@code ahead} is enabled the main consumer hands each poll to it
   * ({@link EncodeAheadInterceptor}).
   */
  static Properties properties(MammoConfig cfg, EncodeAhead ahead) {
    Properties p = new Properties();
    p.putAll(cfg.kafkaClientProps());
    p.putAll(cfg.registryProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, cfg.getString(TriageStreamsConfig.APPLICATION_ID));
    p.put(StreamsConfig.STATE_DIR_CONFIG, cfg.getString(TriageStreamsConfig.STATE_DIR));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, cfg.getInt(TriageStreamsConfig.NUM_THREADS));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // one exactly-once transaction a second instead of Kafka's ten: each commit costs the broker a
    // transaction marker per partition written and the clients a round of requests; decisions
    // reach read_committed subscribers at most a second later (kafka.commit.interval.ms overrides)
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Deserialization.class);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Processing.class);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 32 * 1024 * 1024);
    String buffer = ConsumerConfig.RECEIVE_BUFFER_CONFIG;
    imageFetchSettings()
        .forEach(
            (k, v) -> {
              if (!k.equals(buffer)) {
                p.put(StreamsConfig.consumerPrefix(k), v);
              }
            });
    // a socket buffer the site set, for every client or for the consumers, wins
    if (!p.containsKey(buffer)
        && !p.containsKey(StreamsConfig.consumerPrefix(buffer))
        && !p.containsKey(StreamsConfig.mainConsumerPrefix(buffer))) {
      p.put(StreamsConfig.mainConsumerPrefix(buffer), imageFetchSettings().get(buffer));
    }
    if (ahead.enabled()) {
      p.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
          EncodeAheadInterceptor.class.getName());
      p.put(StreamsConfig.mainConsumerPrefix(EncodeAhead.INSTANCE_CONFIG), ahead);
    }
    return p;
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public boolean isRunning() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** The images encoded ahead of the stream threads (hits, misses). */
  public EncodeAhead encodeAhead() {
    return ahead;
  }

  /**
   * The JVM's garbage collectors by name ("PS Scavenge, PS MarkSweep" for the parallel collector,
   * which the stream is run with: {@code run}, {@code k8s/base/streams}), so that a log or a
   * benchmark says which one its figures were measured under.
   */
  public static String jvmCollectors() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(java.lang.management.GarbageCollectorMXBean::getName)
        .collect(java.util.stream.Collectors.joining(", "));
  }

  public OnnxExamScorer scorer() {
    return scorer;
  }

  /** Hot model change: the directory watch and the admin command's entry point. */
  public ModelSwitcher switcher() {
    return switcher;
  }

  @Override
  public void close() {
    switcher.close();
    streams.close(Duration.ofSeconds(30));
    ahead.close();
    scorer.close();
  }
}
