package org.mammotriage.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.streams.EncodeAhead;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;

/**
 * End to end on one machine: synthetic studies imported through ingest (decode, preprocess,
 * publish) into an embedded broker, assembled, scored and routed by the streams app, once with
 * today's whole-exam path (the demo model in contract 1: the four working images kept in the store,
 * the whole exam encoded at release) and once with the embeddings path (the same weights in
 * contract 2: each image encoded on arrival, only the head at release), on the same archives.
 * Sustained exams/s at full speed (ingest included: on two cores it is mostly ingest's decoding and
 * preprocessing), then latency from an exam's last image acknowledged by ingest to its decision at
 * a fixed pace (half the contract-1 rate), next to one image-encoder run and the scorer alone,
 * measured in the same run.
 */
final class StreamsBench {
  private StreamsBench() {}

  /** One contract's run. */
  record Run(String label, int exams, double examsPerSecond, List<Long> latencies) {
    long p50() {
      return BenchPipeline.quantile(latencies, 0.5);
    }

    long p99() {
      return BenchPipeline.quantile(latencies, 0.99);
    }
  }

  static void run(int patients, boolean aloneOnly) throws Exception {
    run(patients, aloneOnly, DEFAULT_REPEATS, Map.of());
  }

  /**
   * As {@link #run(int, boolean)}; the stream alone runs each setting {@code repeats} times, and
   * with {@code compare} given its second setting is images in Kafka with those settings instead of
   * the image store (an A/B of a setting against the default, on the same machine).
   */
  static void run(int patients, boolean aloneOnly, int repeats, Map<String, String> compare)
      throws Exception {
    Path dir = Files.createTempDirectory("bench-streams");
    try {
      run(dir, patients, aloneOnly, repeats, compare);
    } finally {
      BenchPipeline.deleteTree(dir); // a few GB of synthetic studies and broker logs
    }
  }

  private static void run(
      Path dir, int patients, boolean aloneOnly, int repeats, Map<String, String> compare)
      throws Exception {
    Path[] models = BenchPipeline.demoModels(dir);
    BenchReport.current()
        .setup("streams: JVM collectors", StreamsApp.jvmCollectors())
        .setup(
            "streams: data",
            patients
                + " synthetic patients at half the detector size, 1520x912 working images, the"
                + " demo model (synthetic, not for clinical use) in contract 2, one stream thread");
    if (aloneOnly) {
      System.out.println(
          "bench streams --alone: the stream alone against the scorer alone, the demo model in"
              + " contract 2; synthetic studies at half the detector size, 1520x912 working images;"
              + " one stream thread; JVM collectors "
              + StreamsApp.jvmCollectors()
              + " (the stream's: ./run gives bench streams the stream's JVM options)");
      List<Path> full = BenchPipeline.studies(dir.resolve("a"), patients, 11);
      reportAlone(streamAlone(dir.resolve("alone"), models[1], full, repeats, compare), -1);
      return;
    }
    System.out.println(
        "bench streams: the demo model (256x160) in contract 1 (whole exam at release) and"
            + " contract 2 (image encoded on arrival, head at release), same weights; synthetic"
            + " studies at half the detector size, 1520x912 working images; one stream thread");
    List<Path> warm = BenchPipeline.studies(dir.resolve("w"), 2, 13);
    List<Path> full = BenchPipeline.studies(dir.resolve("a"), patients, 11);
    List<Path> paced = BenchPipeline.studies(dir.resolve("b"), patients, 12);
    Run one = run(dir.resolve("c1"), "contract 1 (today)", models[0], warm, full, paced, -1);
    long gapMs = (long) (2000 / one.examsPerSecond());
    Run two =
        run(dir.resolve("c2"), "contract 2 (embeddings)", models[1], warm, full, paced, gapMs);
    double[] encoder = encoderMillis(models[1], 48);
    double scorer = ScoringBench.scorerRate(models[0], ScoringBench.workingImages(24), 1);
    System.out.printf(
        Locale.ROOT,
        "  one image-encoder run (decode + resize + encoder, batch 1, contract 2): median %.1f ms,"
            + " p90 %.1f ms; the whole exam at batch 1 (contract 1 scorer alone): %.1f ms%n",
        encoder[0],
        encoder[1],
        1000 / scorer);
    System.out.printf(
        Locale.ROOT, "  %-24s %9s %14s %14s%n", "", "exams/s", "p50 last->dec", "p99 last->dec");
    for (Run r : List.of(one, two)) {
      System.out.printf(
          Locale.ROOT,
          "  %-24s %9.2f %11d ms %11d ms%n",
          r.label(),
          r.examsPerSecond(),
          r.p50(),
          r.p99());
    }
    System.out.printf(
        Locale.ROOT,
        "  contract 2 / contract 1: p50 %.2f, p99 %.2f, throughput %.2f (paced at one exam every %d"
            + " ms, %d exams)%n",
        two.p50() / (double) one.p50(),
        two.p99() / (double) one.p99(),
        two.examsPerSecond() / one.examsPerSecond(),
        gapMs,
        two.exams());
    Alone alone = streamAlone(dir.resolve("alone"), models[1], full, repeats, compare);
    reportAlone(alone, two.examsPerSecond());
    double goal = encoder[0] + 20;
    System.out.printf(
        Locale.ROOT,
        "  goal p50 <= one encoder run + 20 ms = %.1f ms: %s (p50 %d ms)%n",
        goal,
        two.p50() <= goal ? "met" : "NOT met",
        two.p50());
    BenchReport.current()
        .measure(
            SECTION_WHOLE,
            "contract 2: last image -> decision, p50 (paced)",
            two.p50(),
            "ms",
            String.format(Locale.ROOT, "<= one encoder run + 20 ms = %.1f ms", goal),
            null,
            two.p50() <= goal ? "met" : "NOT met")
        .measure(
            SECTION_WHOLE,
            "contract 2 / contract 1 throughput",
            two.examsPerSecond() / one.examsPerSecond(),
            "x",
            null,
            null,
            null)
        .measure(
            SECTION_WHOLE,
            "whole path, contract 2",
            two.examsPerSecond(),
            "exams/s",
            null,
            null,
            null);
  }

  private static Run run(
      Path dir,
      String label,
      Path model,
      List<Path> warm,
      List<Path> full,
      List<Path> paced,
      long gapMsOrMinus1)
      throws Exception {
    try (BenchPipeline p = BenchPipeline.start(dir);
        StreamsApp app =
            new StreamsApp(
                p.streamsConfig("bench-streams", dir.resolve("state"), 600_000),
                model,
                OpsServer.newRegistry())) {
      app.start();
      String id = app.scorer().activeModel().id();
      // a few exams first, so that ingest, the stream and the scorer are past their warm-up
      p.awaitDecisions(p.importAll(warm, 0).keySet(), id);
      long t0 = System.currentTimeMillis();
      Map<String, Long> done = p.importAll(full, 0);
      Map<String, Long> decided = p.awaitDecisions(done.keySet(), id);
      double secs =
          (decided.values().stream().mapToLong(Long::longValue).max().orElseThrow() - t0) / 1000.0;
      double rate = full.size() / secs;
      long gapMs = gapMsOrMinus1 > 0 ? gapMsOrMinus1 : (long) (2000 / rate);
      Map<String, Long> lastImage = p.importAll(paced, gapMs);
      Map<String, Long> dec2 = p.awaitDecisions(lastImage.keySet(), id);
      List<Long> lat = new ArrayList<>();
      lastImage.forEach((s, t) -> lat.add(dec2.get(s) - t));
      lat.sort(Long::compare);
      System.out.printf(
          Locale.ROOT,
          "  %s, model %s: %d exams at full speed in %.1f s (%.2f exams/s); paced one every %d ms:"
              + " last image -> decision p50 %d ms, p99 %d ms%n",
          label,
          id,
          full.size(),
          secs,
          rate,
          gapMs,
          BenchPipeline.quantile(lat, 0.5),
          BenchPipeline.quantile(lat, 0.99));
      return new Run(label, paced.size(), rate, lat);
    }
  }

  /** Prints the stream-alone figures; {@code wholePath} below 0: not measured in this run. */
  private static void reportAlone(Alone alone, double wholePath) {
    System.out.printf(
        Locale.ROOT,
        "  stream alone (contract 2, images topic preloaded by ingest and copied, then the stream"
            + " started): %d exams, steady state %d exams in %.2f s, %.2f exams/s (%d images"
            + " encoded ahead of"
            + " the stream thread, %d of them run by the stream thread itself because it reached"
            + " them before a worker did; %d encoded by it after a miss; the stream thread waited"
            + " %.1f s for them over the whole run); the scorer alone on the same exams (encode 4"
            + " + head, batch 1): %.2f exams/s%n",
        alone.streamExams(),
        alone.steadyExams(),
        alone.steadySeconds(),
        alone.streamRate(),
        alone.aheadHits(),
        alone.aheadRanByTaker(),
        alone.aheadMisses(),
        alone.aheadWaitedSeconds(),
        alone.scorerRate());
    System.out.printf(
        Locale.ROOT,
        "  the same stream with %s=0 (each image encoded by the stream thread, as before): %.2f"
            + " exams/s, %.2f of the scorer alone; encoding ahead: %.2fx%n",
        TriageStreamsConfig.ENCODE_AHEAD_THREADS,
        alone.streamRateSerial(),
        alone.streamRateSerial() / alone.scorerRate(),
        alone.streamRate() / alone.streamRateSerial());
    StreamRun st = alone.stored();
    String other = alone.other();
    boolean comparing = alone.compared();
    System.out.printf(
        Locale.ROOT,
        "  the same stream %s: steady state %d exams, %.2f exams/s, the median of its runs (%d"
            + " images encoded ahead, %d run by the stream thread itself, %d encoded by it after a"
            + " miss)%n",
        comparing
            ? "with images in Kafka, the " + other + " runs"
            : "with the image store ("
                + CommonConfig.IMAGES_STORE_DIR
                + " set: each working image a file in a local directory, read back by the"
                + " encode-ahead workers; Kafka carries a reference of about 1 KB instead of the"
                + " PNG)",
        st.steadyExams(),
        st.streamRate(),
        st.hits(),
        st.ranByTaker(),
        st.misses());
    MedianInterval streamRatio = MedianInterval.of(alone.pairedKafka());
    MedianInterval otherRatio = MedianInterval.of(alone.pairedOther());
    System.out.printf(
        Locale.ROOT,
        "  each run / the faster of the scorer alone just before it and just after it, in the"
            + " order run: %s%n",
        alone.pairedRuns());
    System.out.printf(
        Locale.ROOT,
        "  the encode-ahead workers idle, share of their time over the counted window (they"
            + " get images only as the stream thread's polls return them: a poll finds them with"
            + " nothing to do unless the thread went on past encodings not done,"
            + " streams.encode.ahead.lookahead), in the order run: %s; medians: images in Kafka"
            + " %.1f %%, %s %.1f %%%n",
        alone.idleRuns(),
        100 * alone.idleKafka(),
        other,
        100 * alone.idleStore());
    System.out.printf(
        Locale.ROOT,
        "  each run / the fastest scorer alone of the whole command (%.2f exams/s), in the order"
            + " run: %s; medians: images in Kafka %.2f, %s %.2f%n",
        alone.scorerRate(),
        ratios(alone),
        alone.streamRate() / alone.scorerRate(),
        other,
        st.streamRate() / alone.scorerRate());
    System.out.printf(
        Locale.ROOT,
        "  stream alone / scorer alone (each run against the scorer alone next to it), the median"
            + " of %d runs each with its distribution-free interval: working images in Kafka (the"
            + " default) = %s, goal >= %.2f: %s; %s = %s, goal >= %.2f: %s%n",
        streamRatio.n(),
        streamRatio.format("%.3f"),
        GOAL,
        streamRatio.verdict(GOAL),
        other,
        otherRatio.format("%.3f"),
        GOAL,
        otherRatio.verdict(GOAL));
    BenchReport rep = BenchReport.current();
    rep.measure(
            SECTION_ALONE,
            "stream/scorer alone, images in Kafka (default)",
            streamRatio.median(),
            streamRatio.lo(),
            streamRatio.hi(),
            intervalText(streamRatio),
            "x",
            String.format(Locale.ROOT, ">= %.2f", GOAL),
            GOAL,
            streamRatio.verdict(GOAL))
        .measure(
            SECTION_ALONE,
            "stream/scorer alone, " + other,
            otherRatio.median(),
            otherRatio.lo(),
            otherRatio.hi(),
            intervalText(otherRatio),
            "x",
            String.format(Locale.ROOT, ">= %.2f", GOAL),
            GOAL,
            otherRatio.verdict(GOAL));
    Map<String, double[]> paired = new java.util.LinkedHashMap<>();
    paired.put(
        "images in Kafka", alone.pairedKafka().stream().mapToDouble(Double::doubleValue).toArray());
    paired.put(other, alone.pairedOther().stream().mapToDouble(Double::doubleValue).toArray());
    rep.runs(SECTION_ALONE, "each run / the faster scorer alone next to it", "ratio", paired, GOAL);
    Map<String, Map<String, Double>> cpuBy = new java.util.LinkedHashMap<>();
    cpuBy.put("images in Kafka", perExamMs(alone.streamCpu(), alone.cpuExams()));
    cpuBy.put(other, perExamMs(st.cpu(), st.cpuExams()));
    cpuBy.put("scorer alone", perExamMs(alone.scorerCpu(), alone.exams()));
    rep.breakdown(SECTION_ALONE, "where the CPU of an exam went", "ms of CPU an exam", cpuBy);
    rep.note(
        SECTION_ALONE,
        String.format(
            Locale.ROOT,
            "%d exams a run; steady state: the last third (%d exams). Each run's ratio is its rate"
                + " over the faster of the scorer alone measured just before and just after it"
                + " (the scorer alone: the four views decoded, resized and encoded and the head"
                + " run, batch 1, at its best of exam by exam and images in parallel). Encoding"
                + " ahead against the stream thread encoding every image: %.2fx. The encode-ahead"
                + " workers idle (medians over the counted windows): images in Kafka %.1f %%, %s"
                + " %.1f %%. CPU breakdowns: the median run's counted window, and the last"
                + " measurement of the scorer alone (whose image work runs on the bench's own"
                + " threads, counted under other).",
            alone.streamExams(),
            alone.steadyExams(),
            alone.streamRate() / alone.streamRateSerial(),
            100 * alone.idleKafka(),
            other,
            100 * alone.idleStore()));
    if (comparing) {
      // each compared run against the default run next to it (same repetition, adjacent in time)
      List<Double> diff = new ArrayList<>();
      for (int i = 0; i < alone.pairedOther().size(); i++) {
        diff.add(alone.pairedOther().get(i) - alone.pairedKafka().get(i));
      }
      MedianInterval d = MedianInterval.of(diff);
      System.out.printf(
          Locale.ROOT,
          "  %s against the default, each repetition's two runs paired: difference of the ratios"
              + " %s: %s%n",
          other,
          d.format("%+.3f"),
          d.lo() > 0
              ? "faster"
              : d.hi() < 0 ? "slower" : "no difference shown at this number of runs");
      rep.measure(
          SECTION_ALONE,
          other + " - default (paired)",
          d.median(),
          d.lo(),
          d.hi(),
          intervalText(d),
          "ratio points",
          null,
          null,
          d.lo() > 0
              ? "faster"
              : d.hi() < 0 ? "slower" : "no difference shown at this number of runs");
    }
    double scorerMs =
        1000
            * alone.scorerCpu().values().stream().mapToDouble(Double::doubleValue).sum()
            / alone.exams();
    double[] inKafka =
        kafkaSide(
            alone.streamCpu(),
            alone.cpuExams(),
            alone.aheadHits() + alone.aheadMisses(),
            alone.aheadRanByTaker());
    double[] viaStore =
        kafkaSide(st.cpu(), st.cpuExams(), st.hits() + st.misses(), st.ranByTaker());
    for (var side : List.of(Map.entry("images in Kafka", inKafka), Map.entry(other, viaStore))) {
      double[] k = side.getValue();
      System.out.printf(
          Locale.ROOT,
          "  Kafka's side of an exam, %s (embedded broker, stream thread and its clients,"
              + " producer): %.1f ms of CPU (the stream thread's %.1f ms less an estimated %.1f ms"
              + " of image work it ran itself), and the JIT compiler still %.1f ms, against %.1f ms"
              + " for the scorer alone's whole exam: at 0.8 the stream may add at most %.1f ms%n",
          side.getKey(),
          k[0],
          k[1],
          k[2],
          k[3],
          scorerMs,
          scorerMs / 4);
    }
    FetchFloor.Result f = alone.floor();
    FetchFloor.Result k = alone.floorKafkaBuffer();
    System.out.printf(
        Locale.ROOT,
        "  the floor of Kafka's side with images in Kafka: a bare consumer with the stream's fetch"
            + " settings (read_committed, a fetch a poll, byte arrays, the socket's receive"
            + " buffer sized by the OS, nothing done with the records) reading the same %d records"
            + " (%.2f MB an exam), the median of %d reads: %.1f ms of CPU an exam (the reading"
            + " thread %.1f, the broker serving it %.1f; %.0f exams/s), of the %.1f ms the 0.8 goal"
            + " allows the stream beyond the scorer alone's work; with Kafka's fixed 64 KiB receive"
            + " buffer instead (reads alternating with those): %.1f ms (reader %.1f, broker %.1f;"
            + " %.0f exams/s), %.2f of that%n",
        f.records(),
        f.mbPerExam(),
        DEFAULT_REPEATS,
        f.totalMs(),
        f.consumerMs(),
        f.brokerMs(),
        f.examsPerSecond(),
        scorerMs / 4,
        k.totalMs(),
        k.consumerMs(),
        k.brokerMs(),
        k.examsPerSecond(),
        f.totalMs() / k.totalMs());
    double ingestShare =
        (1 / alone.ingestRate()) / (1 / alone.ingestRate() + 1 / alone.streamRate());
    System.out.printf(
        Locale.ROOT,
        "  %singest alone (import into the broker, no stream running) %.2f exams/s: ingest takes"
            + " %.0f%% of the CPU time of an exam's whole path (1/ingest over 1/ingest +"
            + " 1/stream), so the whole path is limited by %s%n",
        wholePath < 0
            ? ""
            : String.format(Locale.ROOT, "whole path (contract 2) %.2f exams/s; ", wholePath),
        alone.ingestRate(),
        100 * ingestShare,
        ingestShare > 0.5 ? "ingest" : "the stream");
    rep.measure(
        SECTION_ALONE,
        "Kafka's side of an exam, images in Kafka",
        inKafka[0],
        "ms CPU",
        String.format(Locale.ROOT, "<= %.1f (what 0.8 allows)", scorerMs / 4),
        null,
        inKafka[0] <= scorerMs / 4 ? "within" : "over");
    rep.measure(
        SECTION_ALONE,
        "the floor of Kafka's side (bare consumer)",
        f.totalMs(),
        "ms CPU",
        null,
        null,
        null);
    rep.measure(
        wholePath < 0 ? SECTION_ALONE : SECTION_WHOLE,
        "ingest's share of an exam's whole path",
        ingestShare,
        "of the CPU time",
        "> 0.5: the whole path limited by ingest",
        null,
        ingestShare > 0.5 ? "limited by ingest" : "limited by the stream");
  }

  static final String SECTION_ALONE = "streams: the stream alone";
  static final String SECTION_WHOLE = "streams: the whole path";

  /** How a median's interval was made, for the report. */
  private static String intervalText(MedianInterval m) {
    return String.format(
        Locale.ROOT,
        "%.1f %% distribution-free interval of the median of %d runs",
        100 * m.coverage(),
        m.n());
  }

  /** CPU seconds by thread group over {@code exams} exams, as ms an exam. */
  private static Map<String, Double> perExamMs(Map<String, Double> cpu, int exams) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    cpu.forEach((k, v) -> out.put(k, exams == 0 ? Double.NaN : 1000 * v / exams));
    return out;
  }

  /** Every run's ratio to the scorer alone, in the order the runs were made. */
  private static String ratios(Alone alone) {
    List<String> out = new ArrayList<>();
    for (int rep = 0; rep < alone.aheadRuns().size(); rep++) {
      String k =
          String.format(
              Locale.ROOT,
              "images in Kafka %.2f",
              alone.aheadRuns().get(rep).streamRate() / alone.scorerRate());
      String st =
          String.format(
              Locale.ROOT,
              "%s %.2f",
              alone.other(),
              alone.storedRuns().get(rep).streamRate() / alone.scorerRate());
      out.add(rep % 2 == 0 ? k + ", " + st : st + ", " + k);
    }
    return String.join("; ", out);
  }

  /**
   * What the stream pays that the scorer alone does not, ms of CPU an exam: {Kafka's side, the
   * stream thread, the image work the stream thread ran itself, the JIT}. The stream thread's CPU
   * holds the encodings it ran itself (reached before a worker): estimated at the workers' CPU per
   * image and taken out of Kafka's side.
   */
  private static double[] kafkaSide(
      Map<String, Double> cpu, int cpuExams, long images, long ranByTaker) {
    double byTaker = images == 0 ? 0 : (double) ranByTaker / images;
    double takerImageMs =
        byTaker >= 1
            ? 0
            : 1000
                * cpu.getOrDefault(ThreadCpu.ENCODE_AHEAD, 0.0)
                * byTaker
                / (1 - byTaker)
                / cpuExams;
    double streamsMs = 1000 * cpu.getOrDefault(ThreadCpu.STREAMS, 0.0) / cpuExams;
    takerImageMs = Math.min(takerImageMs, streamsMs);
    double kafkaMs =
        1000
                * (cpu.getOrDefault(ThreadCpu.BROKER, 0.0)
                    + cpu.getOrDefault(ThreadCpu.STREAMS, 0.0)
                    + cpu.getOrDefault(ThreadCpu.PRODUCER, 0.0))
                / cpuExams
            - takerImageMs;
    double jitMs = 1000 * cpu.getOrDefault(ThreadCpu.JIT, 0.0) / cpuExams;
    return new double[] {kafkaMs, streamsMs, takerImageMs, jitMs};
  }

  /**
   * Rates of the stream alone (images encoded ahead, the default; and with encoding ahead off), of
   * ingest alone and of the scorer alone, on the same exams.
   */
  record Alone(
      int exams,
      int streamExams,
      int steadyExams,
      double steadySeconds,
      double streamRate,
      long aheadHits,
      long aheadMisses,
      double aheadWaitedSeconds,
      long aheadRanByTaker,
      double streamRateSerial,
      double ingestRate,
      double scorerRate,
      Map<String, Double> streamCpu,
      int cpuExams,
      Map<String, Double> scorerCpu,
      StreamRun stored,
      List<StreamRun> aheadRuns,
      List<StreamRun> storedRuns,
      FetchFloor.Result floor,
      FetchFloor.Result floorKafkaBuffer,
      List<Double> pairedKafka,
      List<Double> pairedOther,
      String other,
      boolean compared,
      String pairedRuns,
      double idleKafka,
      double idleStore,
      String idleRuns) {}

  /** One measurement of the scorer alone: exams/s, and where its CPU went over how many seconds. */
  private record Scorer(double rate, Map<String, Double> cpu, double seconds) {}

  /** One stream-alone measurement. */
  private record StreamRun(
      double wholeRate,
      double streamRate,
      long hits,
      long misses,
      double waitedSeconds,
      long ranByTaker,
      Map<String, Double> cpu,
      double cpuSeconds,
      int steadyExams,
      int cpuExams,
      double workersIdle) {}

  /**
   * Snapshots of {@link ThreadCpu} every 200 ms (reading every thread's stat file costs CPU itself:
   * at 50 ms the sampler took 3 % of the window's), so that the CPU of a window known only
   * afterwards (between two decisions) can be read.
   */
  private static final class CpuSampler implements AutoCloseable {
    /** Every thread's CPU and the encode-ahead workers' idle nanoseconds at one time. */
    private record Snap(ThreadCpu cpu, long workersIdleNanos) {}

    private final java.util.concurrent.ConcurrentSkipListMap<Long, Snap> snaps =
        new java.util.concurrent.ConcurrentSkipListMap<>();
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-cpu-sampler");
              t.setDaemon(true);
              return t;
            });

    CpuSampler(java.util.function.LongSupplier workersIdleNanos) {
      timer.scheduleAtFixedRate(
          () ->
              snaps.put(
                  System.currentTimeMillis(),
                  new Snap(ThreadCpu.now(), workersIdleNanos.getAsLong())),
          0,
          200,
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * The snapshots at or before {@code fromMs} and at or after {@code toMs}, their times, the CPU
     * seconds by group and the seconds the encode-ahead workers waited between them.
     */
    record Window(long fromMs, long toMs, Map<String, Double> cpu, double workersIdleSeconds) {}

    /** CPU seconds by group between the snapshots around two times (epoch ms). */
    Window between(long fromMs, long toMs) {
      var a = snaps.floorEntry(fromMs);
      var b = snaps.ceilingEntry(toMs);
      if (a == null) {
        a = snaps.firstEntry();
      }
      if (b == null) {
        b = snaps.lastEntry();
      }
      return new Window(
          a.getKey(),
          b.getKey(),
          b.getValue().cpu().since(a.getValue().cpu()),
          (b.getValue().workersIdleNanos() - a.getValue().workersIdleNanos()) / 1e9);
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }

  /**
   * How many times each setting (images in Kafka, image store) runs, alternating, unless {@code
   * --reps} says otherwise; also the reads of the floor of Kafka's side.
   */
  static final int DEFAULT_REPEATS = 5;

  /** The stream alone's goal: at least this share of the scorer alone's rate (issue #24). */
  static final double GOAL = 0.8;

  /** The second setting's name in the output: the image store, or the settings compared. */
  static String otherLabel(Map<String, String> compare) {
    return compare.isEmpty()
        ? "image store"
        : "compared ("
            + new java.util.TreeMap<>(compare)
                .entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "))
            + ")";
  }

  /** The run of median steady-state rate. */
  private static StreamRun median(List<StreamRun> runs) {
    List<StreamRun> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(StreamRun::streamRate));
    return sorted.get(sorted.size() / 2);
  }

  /** Copies of the imported images appended to the images topic for the stream-alone runs. */
  static final int COPIES = 2;

  /**
   * The stream alone: the studies imported once by ingest into a broker with no stream running (the
   * images topic preloaded), then {@link #COPIES} copies of those images appended under new study
   * and instance UIDs, so that one stream instance has three times the exams to work through. The
   * stream is started on that backlog under a new application id (its own state, offsets from the
   * start) once with images encoded ahead (the default) and once without (first). A run's rate is
   * its steady state: the exams decided after the first two thirds' last decision (about 750 exams
   * into the same instance, as a stream that has been running for a while), over the time from that
   * decision to the last one. The scorer alone scores the imported exams' working images (the same
   * preprocessing as ingest's, done once and kept in files) in the same JVM, before the stream
   * runs, just before each counted run and after the last: each counted run is compared with the
   * faster of the scorer alone just before it and just after it (the VM's speed drifts within a
   * command), and the fastest of all is also reported against every run.
   */
  static Alone streamAlone(
      Path dir, Path model, List<Path> studies, int repeats, Map<String, String> compare)
      throws Exception {
    String other = otherLabel(compare);
    // one long run per setting, not several short ones: every new stream instance starts with a
    // rebalance, new clients and its first fetches, whose rarely taken paths make the JIT throw
    // away and compile again code the steady state uses (76 methods made not entrant in one short
    // run). Ten short runs in a row never brought the JIT below 1.4 ms an exam (1.4-6.4), so the
    // counted window lies deep in one instance instead. Ingest runs once, before every stream run:
    // between stream runs its code would change the JIT's profiles of the code both share (the
    // area resize). The JIT's profiles also move the scorer alone (77-100 exams/s depending on what
    // ran before it), so it is measured next to every run and a run counts against the faster of
    // its two neighbours
    Map<String, String> off = Map.of(TriageStreamsConfig.ENCODE_AHEAD_THREADS, "0");
    StreamRun ahead;
    StreamRun serial;
    StreamRun stored;
    List<StreamRun> aheadRuns = new ArrayList<>();
    List<StreamRun> storedRuns = new ArrayList<>();
    // every counted run in the order run, whether it had the image store, and the scorer alone
    // measured just before each run (then once after the last)
    List<StreamRun> runOrder = new ArrayList<>();
    List<Boolean> runStored = new ArrayList<>();
    List<Scorer> scorerPoints = new ArrayList<>();
    Path scorerInputs;
    double ingestRate;
    Scorer scorerBefore;
    int streamExams;
    FetchFloor.Result[] floors;
    try (BenchPipeline p = BenchPipeline.start(dir)) {
      long ti = System.nanoTime();
      Set<String> preloaded = new java.util.HashSet<>(p.importAll(studies, 0).keySet());
      ingestRate = studies.size() / ((System.nanoTime() - ti) / 1e9);
      scorerInputs = prepareScorerInputs(studies, dir.resolve("scorer-inputs"));
      scorerBefore = scorerAlone(model, scorerInputs);
      var importedEnd = p.imagesEndOffsets();
      long tr = System.nanoTime();
      preloaded.addAll(p.replicateImages(COPIES));
      streamExams = preloaded.size();
      double copied = (System.nanoTime() - tr) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "  images topic: %d imported exams and %d copies under new UIDs (%.1f s to copy, %.1f s"
              + " to flush to disk): %d exams for each stream run%n",
          studies.size(),
          COPIES,
          copied,
          BenchPipeline.flushToDisk(),
          streamExams);
      serial = streamRun(p, dir, "serial", model, preloaded, off);
      // the least Kafka's side can be with images in Kafka: the same records read by a bare
      // consumer with the stream's fetch settings, on the same broker, after the JIT's warm-up
      // and once more with Kafka's fixed 64 KiB receive buffer, which the stream's main consumer
      // used before it left the buffer's size to the operating system
      floors =
          FetchFloor.measure(
              p.bootstrap(),
              p.imagesEndOffsets(),
              streamExams,
              DEFAULT_REPEATS,
              Map.of(
                  org.apache.kafka.clients.consumer.ConsumerConfig.RECEIVE_BUFFER_CONFIG,
                  64 * 1024));
      // then each setting `repeats` times, alternating which goes first: one run moves by about 10
      // %
      // on this kind of VM, more than the difference between the settings. Each run gets a block
      // of its own: the imported exams appended COPIES + 1 more times under new UIDs (with the
      // image store: each working image written to the store and the record carrying its
      // reference, as ingest publishes with images.store.dir set), appended just before the run
      // and nothing after it, and the run's application starts at the block's first offsets
      Path storeDir = dir.resolve("image-store");
      ImageStore store = ImageStore.open(storeDir.toString());
      for (int rep = 0; rep < repeats; rep++) {
        for (boolean withStore :
            rep % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
          var start = p.imagesEndOffsets();
          long ts = System.nanoTime();
          Set<String> block =
              p.replicateImages(
                  COPIES + 1,
                  withStore && compare.isEmpty() ? store : ImageStore.NONE,
                  (withStore ? "8" : "7") + rep,
                  importedEnd);
          String name = (withStore ? "store" : "ahead") + rep;
          double written = (System.nanoTime() - ts) / 1e9;
          // on disk before the scorer alone and the run: the kernel's writeback of the block, due
          // about 30 s after it was written, fell in the run's counted window otherwise
          double flushed = BenchPipeline.flushToDisk();
          System.out.printf(
              Locale.ROOT,
              "  run %s: the %d imported exams %d times more under new UIDs%s (%.1f s to write, %.1f"
                  + " s to flush to disk): %d exams%n",
              name,
              studies.size(),
              COPIES + 1,
              !withStore
                  ? ""
                  : compare.isEmpty()
                      ? ", working images in " + storeDir + " and references in the records"
                      : ", images in Kafka: the " + other + " run",
              written,
              flushed,
              block.size());
          // the scorer alone again just before each run: a run's ratio is to the faster of the
          // scorer alone just before it and just after it, so that the VM's speed drifting
          // during the command (one whole command ran 30 % slower in its middle) moves both
          scorerPoints.add(scorerAlone(model, scorerInputs));
          p.startGroupAt("bench-alone-" + name, start);
          StreamRun run =
              streamRun(
                  p,
                  dir,
                  name,
                  model,
                  block,
                  !withStore
                      ? Map.of()
                      : compare.isEmpty()
                          ? Map.of(CommonConfig.IMAGES_STORE_DIR, storeDir.toString())
                          : compare);
          (withStore ? storedRuns : aheadRuns).add(run);
          runOrder.add(run);
          runStored.add(withStore);
        }
      }
    }
    ahead = median(aheadRuns);
    stored = median(storedRuns);
    System.out.printf(
        Locale.ROOT,
        "  stream alone, %d exams in one instance each: %.2f exams/s encoding ahead (the median of"
            + " %d runs), %.2f without (steady state: the last third, after %d exams); over the"
            + " whole run from RUNNING: %.2f, %.2f%n",
        streamExams,
        ahead.streamRate(),
        repeats,
        serial.streamRate(),
        streamExams - ahead.steadyExams(),
        ahead.wholeRate(),
        serial.wholeRate());
    Scorer scorerAfter = scorerAlone(model, scorerInputs);
    scorerPoints.add(scorerAfter);
    System.out.printf(
        Locale.ROOT,
        "  scorer alone before the stream runs %.2f exams/s, next to each run %s, after them %.2f%n",
        scorerBefore.rate(),
        scorerPoints.subList(0, scorerPoints.size() - 1).stream()
            .map(r -> String.format(Locale.ROOT, "%.2f", r.rate()))
            .toList(),
        scorerAfter.rate());
    List<Scorer> allScorer = new ArrayList<>(scorerPoints);
    allScorer.add(scorerBefore);
    Scorer best =
        java.util.Collections.max(allScorer, java.util.Comparator.comparingDouble(Scorer::rate));
    double scorerRate = best.rate();
    Map<String, Double> scorerCpu = best.cpu();
    double scorerSeconds = best.seconds();
    // each run against the faster of the scorer alone just before it and just after it
    List<Double> pairedKafka = new ArrayList<>();
    List<Double> pairedStore = new ArrayList<>();
    List<String> pairedText = new ArrayList<>();
    for (int i = 0; i < runOrder.size(); i++) {
      double baseline = Math.max(scorerPoints.get(i).rate(), scorerPoints.get(i + 1).rate());
      double ratio = runOrder.get(i).streamRate() / baseline;
      (runStored.get(i) ? pairedStore : pairedKafka).add(ratio);
      pairedText.add(
          String.format(
              Locale.ROOT,
              "%s %.2f (%.2f against %.2f exams/s)",
              runStored.get(i) ? other : "images in Kafka",
              ratio,
              runOrder.get(i).streamRate(),
              baseline));
    }
    System.out.println(
        "  where the CPU went, stream alone (counted run with encoding ahead): "
            + ThreadCpu.report(ahead.cpu(), ahead.cpuSeconds(), ahead.cpuExams()));
    System.out.println(
        "  where the CPU went, stream alone, "
            + other
            + " (counted run): "
            + ThreadCpu.report(stored.cpu(), stored.cpuSeconds(), stored.cpuExams()));
    System.out.println(
        "  where the CPU went, scorer alone: "
            + ThreadCpu.report(scorerCpu, scorerSeconds, studies.size()));
    return new Alone(
        studies.size(),
        streamExams,
        ahead.steadyExams(),
        ahead.steadyExams() / ahead.streamRate(),
        ahead.streamRate(),
        ahead.hits(),
        ahead.misses(),
        ahead.waitedSeconds(),
        ahead.ranByTaker(),
        serial.streamRate(),
        ingestRate,
        scorerRate,
        ahead.cpu(),
        ahead.cpuExams(),
        scorerCpu,
        stored,
        aheadRuns,
        storedRuns,
        floors[0],
        floors[1],
        pairedKafka,
        pairedStore,
        other,
        !compare.isEmpty(),
        String.join("; ", pairedText),
        medianOf(aheadRuns.stream().map(StreamRun::workersIdle).toList()),
        medianOf(storedRuns.stream().map(StreamRun::workersIdle).toList()),
        String.join(
            "; ",
            java.util.stream.IntStream.range(0, runOrder.size())
                .mapToObj(
                    i ->
                        String.format(
                            Locale.ROOT,
                            "%s %.1f %%",
                            runStored.get(i) ? other : "images in Kafka",
                            100 * runOrder.get(i).workersIdle()))
                .toList()));
  }

  private static double medianOf(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    java.util.Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /**
   * One stream run over the preloaded images topic, under its own application id and state
   * directory, with the given settings; the decisions it made are those decided after it started.
   */
  private static StreamRun streamRun(
      BenchPipeline p,
      Path dir,
      String name,
      Path model,
      Set<String> preloaded,
      Map<String, String> settings)
      throws Exception {
    var cfg =
        p.streamsConfig("bench-alone-" + name, dir.resolve("state-" + name), 600_000, settings);
    try (StreamsApp app = new StreamsApp(cfg, model, OpsServer.newRegistry())) {
      String id = app.scorer().activeModel().id();
      long started = System.currentTimeMillis();
      app.start();
      long deadline = System.currentTimeMillis() + 120_000;
      while (!app.isRunning() && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      long t0 = System.currentTimeMillis();
      EncodeAhead ahead = app.encodeAhead();
      try (CpuSampler sampler = new CpuSampler(ahead::workersIdleNanos)) {
        Map<String, Long> decided = p.awaitDecisions(preloaded, id, started);
        long[] at = decided.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long last = at[at.length - 1];
        // steady state: from the decision of the first two thirds' last exam to the last decision,
        // past the start (rebalance, the new threads' first fetches and buffers) and most of the
        // JIT's warm-up, as the scorer alone is measured after its warm-up
        int k = at.length * 2 / 3;
        long from = at[k - 1];
        CpuSampler.Window cpu = sampler.between(from, last);
        if (ahead.lookahead() > 0) {
          System.out.printf(
              Locale.ROOT,
              "  run %s: the stream thread went on past encodings not done (lookahead %d) and"
                  + " waited for those of the exams it held before a poll %d times; it ran %d"
                  + " encodings itself%n",
              name,
              ahead.lookahead(),
              ahead.waitsBeforePoll(),
              ahead.ranByTaker());
        }
        return new StreamRun(
            preloaded.size() / ((last - t0) / 1000.0),
            (at.length - k) / ((last - from) / 1000.0),
            app.encodeAhead().hits(),
            app.encodeAhead().misses(),
            app.encodeAhead().waitedNanos() / 1e9,
            app.encodeAhead().ranByTaker(),
            cpu.cpu(),
            (cpu.toMs() - cpu.fromMs()) / 1000.0,
            at.length - k,
            (int)
                java.util.Arrays.stream(at)
                    .filter(t -> t > cpu.fromMs() && t <= cpu.toMs())
                    .count(),
            ahead.enabled()
                ? cpu.workersIdleSeconds()
                    / (ahead.threads() * (cpu.toMs() - cpu.fromMs()) / 1000.0)
                : Double.NaN);
      }
    }
  }

  /**
   * The working images of the studies, preprocessed as ingest does, written once under {@code out}
   * ({@code <study>/<slot>.png}): the scorer alone reads them back for each of its measurements, so
   * that measuring it between stream runs neither runs ingest's code (whose area resize would move
   * the JIT's profiles of the code the stream shares) nor keeps them on the heap during the runs.
   */
  private static Path prepareScorerInputs(List<Path> studies, Path out) throws Exception {
    org.mammotriage.ingest.preprocess.Preprocessor pp =
        org.mammotriage.ingest.preprocess.Preprocessor.defaults();
    for (Path study : studies) {
      Path dir = Files.createDirectories(out.resolve(study.getFileName().toString()));
      try (var files = Files.list(study)) {
        for (Path f : files.sorted().toList()) {
          String name = f.getFileName().toString().replace(".dcm", "");
          try {
            org.mammotriage.contract.Slot.valueOf(name);
          } catch (IllegalArgumentException e) {
            continue; // an extra view: not scored
          }
          com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
          l.read(f.toFile());
          Files.write(dir.resolve(name + ".png"), pp.process(l).png());
        }
      }
    }
    return out;
  }

  /**
   * The scorer alone on the working images {@link #prepareScorerInputs} wrote, read into memory:
   * decode, resize and encode of the four views and the head, batch 1, two ways — exam by exam
   * ({@link ScoringBench#scorerRate}: the views of an exam prepared in parallel, ONNX Runtime's own
   * threads) and images in parallel as the stream's encode-ahead pool does — the faster counts (a
   * stream faster than its scorer alone would mean the baseline was not the scorer at its best).
   * Also returns where its CPU went, over how many seconds, for the faster way.
   */
  private static Scorer scorerAlone(Path model, Path inputs) throws Exception {
    List<ExamInput> exams = new ArrayList<>();
    List<Path> studies;
    try (var dirs = Files.list(inputs)) {
      studies = dirs.sorted().toList();
    }
    for (Path study : studies) {
      List<ExamImage> images = new ArrayList<>();
      try (var files = Files.list(study)) {
        for (Path f : files.sorted().toList()) {
          String name = f.getFileName().toString().replace(".png", "");
          images.add(
              new ExamImage(
                  org.mammotriage.contract.Slot.valueOf(name),
                  Files.readAllBytes(f),
                  study.getFileName() + "." + name));
        }
      }
      exams.add(new ExamInput(study.getFileName().toString(), images));
    }
    double batch = ScoringBench.scorerRate(model, exams, 1);
    Map<String, Double> batchCpu = ScoringBench.lastCpu;
    double batchSeconds = ScoringBench.lastSeconds;
    double parallel = parallelEncodeRate(model, exams);
    System.out.printf(
        Locale.ROOT,
        "  scorer alone: %.2f exams/s scoring exam by exam (batch 1), %.2f encoding images in"
            + " parallel as the stream does (one image a thread, a thread a core, the head when an"
            + " exam's last view is encoded): the faster counts%n",
        batch,
        parallel);
    if (batch >= parallel) {
      return new Scorer(batch, batchCpu, batchSeconds);
    }
    return new Scorer(parallel, ScoringBench.lastCpu, ScoringBench.lastSeconds);
  }

  /**
   * The scorer alone organised as the stream's encode-ahead pool is: every working image encoded by
   * one of a core's worth of threads, on one scorer (the same ONNX Runtime settings as the stream),
   * and the exam head run by the thread that encodes an exam's last view. Sets {@link
   * ScoringBench#lastCpu} and {@link ScoringBench#lastSeconds}.
   */
  private static double parallelEncodeRate(Path model, List<ExamInput> exams) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "bench-scorer-parallel");
              t.setDaemon(true);
              return t;
            });
    try (OnnxExamScorer s = new OnnxExamScorer(model, "auto", false, 0, 1, 0)) {
      runParallel(s, pool, exams.subList(0, Math.min(4, exams.size()))); // warm
      ThreadCpu cpu0 = ThreadCpu.now();
      long t0 = System.nanoTime();
      runParallel(s, pool, exams);
      double secs = (System.nanoTime() - t0) / 1e9;
      ScoringBench.lastCpu = ThreadCpu.now().since(cpu0);
      ScoringBench.lastSeconds = secs;
      return exams.size() / secs;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void runParallel(
      OnnxExamScorer s, java.util.concurrent.ExecutorService pool, List<ExamInput> exams)
      throws Exception {
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (ExamInput exam : exams) {
      int n = exam.images().size();
      org.mammotriage.scoring.EncodedView[] views = new org.mammotriage.scoring.EncodedView[n];
      java.util.concurrent.atomic.AtomicInteger left =
          new java.util.concurrent.atomic.AtomicInteger(n);
      for (int i = 0; i < n; i++) {
        int k = i;
        ExamImage img = exam.images().get(i);
        done.add(
            pool.submit(
                () -> {
                  EncodeResult r = s.encode(img);
                  if (!r.encoded()) {
                    throw new IllegalStateException("bench image not encoded: " + r.failure());
                  }
                  views[k] =
                      new org.mammotriage.scoring.EncodedView(
                          img.slot(), img.sopInstanceUid(), r.encoding());
                  if (left.decrementAndGet() == 0) {
                    s.scoreEncoded(exam.examKey(), List.of(views));
                  }
                  return null;
                }));
      }
    }
    for (var f : done) {
      f.get();
    }
  }

  /** Median and p90 ms of encoding one working image on the contract-2 model, batch 1. */
  static double[] encoderMillis(Path model, int n) throws Exception {
    List<ExamInput> exams = ScoringBench.workingImages((n + 3) / 4);
    List<ExamImage> images = new ArrayList<>();
    exams.forEach(e -> images.addAll(e.images()));
    List<Double> ms = new ArrayList<>();
    try (OnnxExamScorer s = new OnnxExamScorer(model, "cpu", false, 0, 1, 0)) {
      for (int pass = 0; pass < 2; pass++) {
        for (ExamImage img : images) {
          long t0 = System.nanoTime();
          EncodeResult r = s.encode(img);
          if (!r.encoded()) {
            throw new IllegalStateException("bench image not encoded: " + r.failure());
          }
          if (pass == 1) {
            ms.add((System.nanoTime() - t0) / 1e6);
          }
        }
      }
    }
    ms.sort(Double::compare);
    return new double[] {ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.9) - 1)};
  }
}
