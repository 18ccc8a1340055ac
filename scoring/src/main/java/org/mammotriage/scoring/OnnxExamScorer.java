package org.mammotriage.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.image.ImagePreparer;
import org.mammotriage.contract.image.NativeInflate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores exams on the active model with ONNX Runtime. Sessions are created once, warmed up and
 * shared by all threads. Images are prepared straight into pooled direct input blocks that ONNX
 * Runtime reads (see {@link InputBlockPool}); exams from several callers run in one batch are
 * gathered into a per-thread block. Concurrent callers of {@link #score} are batched (up to {@code
 * batchMax} exams, waiting at most {@code lingerMs}). {@link #activate} switches to a new model
 * directory without a restart: exams in flight finish on the old sessions, which close when they
 * are done.
 *
 * <p>Contract-2 models (DESIGN §5) are also run in two stages: {@link #encode} encodes one image
 * (concurrent callers are batched into one encoder run by an {@link EncodeBatcher}) and {@link
 * #scoreEncoded} runs only the exam head over stored encodings, refusing encodings of another
 * model. {@link #score} on a contract-2 model encodes the exam's four views in one run, then runs
 * the head: the same numbers as the two stages.
 */
public final class OnnxExamScorer implements ExamScoringService {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxExamScorer.class);
  private static final double EPS = 1e-6;

  private final String device;
  private final boolean deviceRequired;
  private final int intraOpThreads;
  private final int batchMax;
  private final long lingerMs;
  private final AtomicReference<LoadedModel> active = new AtomicReference<>();
  // where exams prepared for different callers are gathered into one batch, per batching thread
  private final ThreadLocal<InputBlockPool.Block> gather = new ThreadLocal<>();
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread batcher;
  // decoding and resizing run on every core: the common fork-join pool has cores - 1 threads,
  // which is one on a 2-core node
  private final java.util.concurrent.ExecutorService prepare =
      java.util.concurrent.Executors.newFixedThreadPool(
          Math.max(1, Runtime.getRuntime().availableProcessors()),
          r -> {
            Thread t = new Thread(r, "scoring-prepare");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  private final InputBlockPool blocks;
  private final EncodeBatcher encodeBatcher;
  // where a caller of encode() prepares its image (it waits for the run before it reuses it)
  private final ThreadLocal<FloatBuffer> imageBuffer = new ThreadLocal<>();
  // exams given to score() and not yet completed by the batcher (queued, batched, or being queued)
  private final java.util.concurrent.atomic.AtomicInteger outstanding =
      new java.util.concurrent.atomic.AtomicInteger();
  // batches that waited the whole linger for another exam that did not come
  private final java.util.concurrent.atomic.AtomicLong lingerTimeouts =
      new java.util.concurrent.atomic.AtomicLong();

  private record Pending(
      ExamInput exam, Prepared prepared, CompletableFuture<ScoreResult> result) {}

  /**
   * An exam's images being decoded, resized to h×w and normalised (in the exam's image order) on
   * the prepare pool, straight into exam {@code index} of {@code block} (its present flags already
   * set, missing views zeroed); started as soon as the exam is known, so it overlaps the run of the
   * batch before it. Each future says whether its image decoded.
   */
  private record Prepared(
      int h,
      int w,
      double mean,
      double std,
      long startedNanos,
      InputBlockPool.Block block,
      int index,
      List<CompletableFuture<Boolean>> images) {

    /** Waits for every image task, whatever its outcome (before the block is reused). */
    void settle() {
      for (CompletableFuture<Boolean> f : images) {
        try {
          f.join();
        } catch (RuntimeException e) {
          // the failure is reported where the result is used
        }
      }
    }

    boolean fits(ModelManifest m) {
      return h == m.inputHeight()
          && w == m.inputWidth()
          && mean == m.normMean()
          && std == m.normStd();
    }
  }

  public OnnxExamScorer(
      Path modelDir,
      String device,
      boolean deviceRequired,
      int intraOpThreads,
      int batchMax,
      long lingerMs) {
    this.device = device;
    this.deviceRequired = deviceRequired;
    this.intraOpThreads = intraOpThreads;
    this.batchMax = Math.max(1, batchMax);
    this.lingerMs = Math.max(0, lingerMs);
    // the running batch and those being prepared (one block each in scoreBatch; one block per
    // exam when callers of score() are batched)
    this.blocks = new InputBlockPool(2 * this.batchMax + 2);
    LoadedModel m = ModelDirectory.load(modelDir, device, deviceRequired, intraOpThreads);
    warmUp(m);
    active.set(m);
    LOG.info(
        "model {} loaded from {} on {} (input {}x{}, intended use: {}); PNG inflate: {}",
        m.info().id(),
        modelDir,
        m.device(),
        m.manifest().inputHeight(),
        m.manifest().inputWidth(),
        m.info().intendedUse(),
        NativeInflate.description());
    batcher = new Thread(this::batchLoop, "scoring-batcher");
    batcher.setDaemon(true);
    batcher.start();
    encodeBatcher = new EncodeBatcher(this.batchMax, this.lingerMs);
  }

  /** From the scoring.* configuration keys. */
  public static OnnxExamScorer fromConfig(Path modelDir, Map<String, Object> cfg) {
    return new OnnxExamScorer(
        modelDir,
        String.valueOf(cfg.getOrDefault(ScoringConfig.DEVICE, "auto")),
        Boolean.parseBoolean(
            String.valueOf(cfg.getOrDefault(ScoringConfig.DEVICE_REQUIRED, "false"))),
        Integer.parseInt(String.valueOf(cfg.getOrDefault(ScoringConfig.INTRA_OP_THREADS, "0"))),
        Integer.parseInt(String.valueOf(cfg.getOrDefault(ScoringConfig.BATCH_MAX, "8"))),
        Long.parseLong(String.valueOf(cfg.getOrDefault(ScoringConfig.BATCH_LINGER_MS, "5"))));
  }

  @Override
  public ModelInfo activeModel() {
    return active.get().info();
  }

  /** How many batches waited out {@code scoring.batch.linger.ms} for an exam that did not come. */
  long lingerTimeouts() {
    return lingerTimeouts.get();
  }

  @Override
  public String device() {
    return active.get().device();
  }

  /**
   * Loads, validates and warms up a new model directory, then makes it the active one. A model that
   * fails to load leaves the current one active (and the exception says why).
   */
  public ModelInfo activate(Path newDir) {
    LoadedModel next = ModelDirectory.load(newDir, device, deviceRequired, intraOpThreads);
    warmUp(next);
    LoadedModel old = active.getAndSet(next);
    LOG.info(
        "model switched: {} -> {} (from {}); exams in flight finish on the old model",
        old.info().id(),
        next.info().id(),
        newDir);
    old.retire();
    return next.info();
  }

  @Override
  public ScoreResult score(ExamInput exam) {
    if (batchMax == 1 || closed) {
      return scoreBatch(List.of(exam)).get(0);
    }
    CompletableFuture<ScoreResult> f = new CompletableFuture<>();
    outstanding.incrementAndGet(); // the batcher decrements it when it completes this exam
    try {
      ModelManifest m = active.get().manifest();
      InputBlockPool.Block block = blocks.take(m.inputHeight(), m.inputWidth(), 1);
      queue.add(new Pending(exam, prepare(exam, m, block, 0), f));
    } catch (RuntimeException e) {
      outstanding.decrementAndGet();
      throw e;
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring " + exam.examKey(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("scoring " + exam.examKey() + " failed", e.getCause());
    }
  }

  /**
   * Scores the exams in batches of {@code scoring.batch.max}; the images of the next batch are
   * prepared while the current one runs (one batch ahead, two for batches of one exam, so memory
   * stays bounded).
   */
  @Override
  public List<ScoreResult> scoreBatch(List<ExamInput> exams) {
    List<ScoreResult> out = new ArrayList<>(exams.size());
    int depth = batchMax < AHEAD_EXAMS ? 2 : 1;
    java.util.ArrayDeque<List<Prepared>> ahead = new java.util.ArrayDeque<>();
    int next = 0; // the first exam not yet handed to the prepare pool
    for (int i = 0; i < exams.size(); i += batchMax) {
      while (ahead.size() < depth + 1 && next < exams.size()) {
        int end = Math.min(exams.size(), next + batchMax);
        ahead.add(prepareAll(exams.subList(next, end)));
        next = end;
      }
      List<ExamInput> chunk = exams.subList(i, Math.min(exams.size(), i + batchMax));
      out.addAll(runBatch(chunk, ahead.poll()));
    }
    return out;
  }

  /**
   * Below this batch size scoreBatch prepares two batches ahead instead of one: with one exam ahead
   * the prepare pool ran dry while the model waited on an exam's last image (demo model, batch 1:
   * 50 -> 55 exams/s, `./run bench scoring`).
   */
  private static final int AHEAD_EXAMS = 2;

  /** Prepares the exams of one batch into one block, so the batch runs without a copy. */
  private List<Prepared> prepareAll(List<ExamInput> exams) {
    ModelManifest m = active.get().manifest();
    InputBlockPool.Block block = blocks.take(m.inputHeight(), m.inputWidth(), exams.size());
    List<Prepared> list = new ArrayList<>(exams.size());
    for (int i = 0; i < exams.size(); i++) {
      list.add(prepare(exams.get(i), m, block, i));
    }
    return list;
  }

  /**
   * Starts decoding, resizing and normalising the exam's images for model {@code m} on the prepare
   * pool, into exam {@code index} of {@code block}.
   */
  private Prepared prepare(ExamInput exam, ModelManifest m, InputBlockPool.Block block, int index) {
    long started = System.nanoTime();
    int h = m.inputHeight();
    int w = m.inputWidth();
    double mean = m.normMean();
    double std = m.normStd();
    boolean[] has = new boolean[4];
    exam.images().forEach(i -> has[i.slot().ordinal()] = true);
    for (int s = 0; s < 4; s++) {
      block.present.put(index * 4 + s, has[s] ? 1f : 0f);
      if (!has[s]) { // a missing view is a zero image
        block.views.put(block.offset(index, s), zeros(h * w), 0, h * w);
      }
    }
    List<CompletableFuture<Boolean>> images = new ArrayList<>(exam.images().size());
    for (ExamImage img : exam.images()) {
      int off = block.offset(index, img.slot().ordinal());
      images.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  ImagePreparer.decodeNormalisedInto(img.png(), h, w, mean, std, block.views, off);
                  return true;
                } catch (IOException ex) {
                  LOG.warn(
                      "exam {}: the {} image does not decode: {}",
                      exam.examKey(),
                      img.slot(),
                      ex.getMessage());
                  return false;
                }
              },
              prepare));
    }
    return new Prepared(h, w, mean, std, started, block, index, images);
  }

  private void batchLoop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        BatchCollector.Filled<Pending> filled =
            BatchCollector.fill(batch, queue, batchMax, lingerMs, outstanding, (a, b) -> true);
        if (filled.stop() == BatchCollector.Stop.LINGER_TIMED_OUT) {
          lingerTimeouts.incrementAndGet();
        }
        try {
          List<ScoreResult> results =
              runBatch(
                  batch.stream().map(Pending::exam).toList(),
                  batch.stream().map(Pending::prepared).toList());
          for (int i = 0; i < batch.size(); i++) {
            outstanding.decrementAndGet();
            batch.get(i).result().complete(results.get(i));
          }
        } catch (RuntimeException e) {
          batch.forEach(
              p -> {
                outstanding.decrementAndGet();
                p.result().completeExceptionally(e);
              });
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private List<ScoreResult> runBatch(List<ExamInput> exams, List<Prepared> prepared) {
    LoadedModel m;
    do {
      m = active.get();
    } while (!m.acquire());
    try {
      return runOn(m, exams, prepared);
    } finally {
      m.release();
    }
  }

  private List<ScoreResult> runOn(
      LoadedModel m, List<ExamInput> exams, List<Prepared> preparedExams) {
    List<Prepared> ready = new ArrayList<>(exams.size());
    try {
      return runPrepared(m, exams, preparedExams, ready);
    } finally {
      // every image task has finished before its block goes back to the pool
      java.util.Set<InputBlockPool.Block> used =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (List<Prepared> list : List.of(preparedExams, ready)) {
        for (Prepared p : list) {
          p.settle();
          used.add(p.block());
        }
      }
      used.forEach(blocks::give);
    }
  }

  private List<ScoreResult> runPrepared(
      LoadedModel m, List<ExamInput> exams, List<Prepared> preparedExams, List<Prepared> ready) {
    long t0 = System.nanoTime();
    int h = m.manifest().inputHeight();
    int w = m.manifest().inputWidth();
    ScoreResult[] results = new ScoreResult[exams.size()];
    List<Integer> runnable = new ArrayList<>();
    int plane = h * w;
    // the images were decoded, resized and normalised in parallel while the previous batch ran; a
    // model switched to another input size or normalisation since then needs them again
    for (int i = 0; i < exams.size(); i++) {
      Prepared p = preparedExams.get(i);
      ready.add(
          p.fits(m.manifest()) ? p : prepare(exams.get(i), m.manifest(), blocks.take(h, w, 1), 0));
      // timings count from when preparation of the batch's first exam began
      t0 = Math.min(t0, ready.get(i).startedNanos());
    }
    for (int i = 0; i < exams.size(); i++) {
      ExamInput e = exams.get(i);
      if (e.images().isEmpty()) {
        results[i] = unscorable(e, m, "NO_VIEWS", t0);
        continue;
      }
      boolean ok = true;
      for (CompletableFuture<Boolean> f : ready.get(i).images()) {
        ok &= f.join();
      }
      if (ok) {
        runnable.add(i);
      } else {
        results[i] = unscorable(e, m, "UNDECODABLE_IMAGE", t0);
      }
    }
    if (!runnable.isEmpty()) {
      int n = runnable.size();
      // the batch is read where it was prepared when its exams fill one block in order (scoreBatch,
      // or a lone exam); otherwise (exams batched from several callers) they are gathered
      InputBlockPool.Block shared = ready.get(runnable.get(0)).block();
      boolean inPlace = true;
      for (int k = 0; k < n; k++) {
        Prepared p = ready.get(runnable.get(k));
        inPlace &= p.block() == shared && p.index() == k;
      }
      FloatBuffer views;
      FloatBuffer present;
      if (inPlace) {
        views = shared.views;
        present = shared.present;
      } else {
        InputBlockPool.Block b = gatherBlock(h, w);
        for (int k = 0; k < n; k++) {
          Prepared p = ready.get(runnable.get(k));
          b.views.put(k * 4 * plane, p.block().views, p.block().offset(p.index(), 0), 4 * plane);
          b.present.put(k * 4, p.block().present, p.index() * 4, 4);
        }
        views = b.views;
        present = b.present;
      }
      try {
        EncoderHeadRuns.HeadOutput out =
            m.encodesViews()
                ? encodeThenHead(m, views, exams, runnable)
                : runWholeExam(m, views, present, n);
        double millis = (System.nanoTime() - t0) / 1e6 / exams.size();
        for (int k = 0; k < n; k++) {
          int i = runnable.get(k);
          results[i] =
              interpret(
                  exams.get(i).examKey(),
                  slotsOf(exams.get(i)),
                  m,
                  out.malignancy()[k],
                  out.risk()[k],
                  millis);
        }
      } catch (OrtException e) {
        for (int i : runnable) {
          results[i] = unscorable(exams.get(i), m, "RUNTIME_ERROR: " + e.getMessage(), t0);
        }
      } finally {
        views.clear();
        present.clear();
      }
    }
    return Arrays.asList(results);
  }

  /** Contract 1: the whole-exam graph on views [n, 4, 1, H, W] and present [n, 4]. */
  private static EncoderHeadRuns.HeadOutput runWholeExam(
      LoadedModel m, FloatBuffer views, FloatBuffer present, int n) throws OrtException {
    int h = m.manifest().inputHeight();
    int w = m.manifest().inputWidth();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    views.clear().limit(n * 4 * h * w);
    present.clear().limit(n * 4);
    try (OnnxTensor v = OnnxTensor.createTensor(env, views, new long[] {n, 4, 1, h, w});
        OnnxTensor p = OnnxTensor.createTensor(env, present, new long[] {n, 4});
        OrtSession.Result r = m.examScorer().run(Map.of("views", v, "present", p))) {
      return new EncoderHeadRuns.HeadOutput(
          (float[][]) r.get("malignancy").orElseThrow().getValue(),
          (float[][]) r.get("risk").orElseThrow().getValue());
    }
  }

  /**
   * Contract 2: the encoder over all n × 4 prepared views in one run, then the head over the
   * encodings of the views each exam has (a missing view's encoding is not used: the head gets
   * zeros and present 0, as for an exam assembled from stored encodings).
   */
  private static EncoderHeadRuns.HeadOutput encodeThenHead(
      LoadedModel m, FloatBuffer views, List<ExamInput> exams, List<Integer> runnable)
      throws OrtException {
    int n = runnable.size();
    ViewEncoding[] enc = EncoderHeadRuns.encode(m, views, n * 4);
    List<ViewEncoding[]> perExam = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      ViewEncoding[] slots = new ViewEncoding[4];
      for (ExamImage img : exams.get(runnable.get(k)).images()) {
        int s = img.slot().ordinal();
        slots[s] = enc[k * 4 + s];
      }
      perExam.add(slots);
    }
    return EncoderHeadRuns.head(m, perExam);
  }

  private static boolean[] slotsOf(ExamInput e) {
    boolean[] has = new boolean[4];
    e.images().forEach(i -> has[i.slot().ordinal()] = true);
    return has;
  }

  /**
   * Checks and reads one exam's outputs.
   *
   * @param slots which of the four slots the exam has a view for
   */
  private static ScoreResult interpret(
      String examKey, boolean[] slots, LoadedModel m, float[] mal, float[] risk, double millis) {
    boolean[] breast = new boolean[2];
    for (org.mammotriage.contract.Slot s : org.mammotriage.contract.Slot.values()) {
      breast[s.breastIndex()] |= slots[s.ordinal()];
    }
    String bad = null;
    for (float v : mal) {
      if (!Float.isFinite(v) || v < -EPS || v > 1 + EPS) {
        bad = Float.isFinite(v) ? "MALIGNANCY_OUT_OF_RANGE" : "NON_FINITE_OUTPUT";
      }
    }
    for (int k = 0; k < risk.length && bad == null; k++) {
      if (!Float.isFinite(risk[k])) {
        bad = "NON_FINITE_OUTPUT";
      } else if (risk[k] < -EPS || risk[k] > 1 + EPS) {
        bad = "RISK_OUT_OF_RANGE";
      } else if (k > 0 && risk[k] < risk[k - 1] - EPS) {
        bad = "RISK_NOT_MONOTONE";
      }
    }
    if (bad != null) {
      LOG.warn(
          "exam {} unscorable on model {}: {} (malignancy {}, risk {})",
          examKey,
          m.info().id(),
          bad,
          Arrays.toString(mal),
          Arrays.toString(risk));
      return new ScoreResult(
          examKey, false, bad, null, null, null, null, m.info(), m.device(), millis);
    }
    // the manifest's calibration (if any) maps each breast's raw probability to a calibrated one;
    // the thresholds of model.json are in that space
    org.mammotriage.contract.Calibration cal = m.manifest().calibration();
    Double left = breast[0] ? calibrated(cal, mal[0]) : null;
    Double right = breast[1] ? calibrated(cal, mal[1]) : null;
    double suspicion = Math.max(left == null ? 0 : left, right == null ? 0 : right);
    double[] r = new double[risk.length];
    for (int k = 0; k < r.length; k++) {
      r[k] = risk[k];
    }
    return new ScoreResult(
        examKey, true, null, left, right, suspicion, r, m.info(), m.device(), millis);
  }

  private static double calibrated(org.mammotriage.contract.Calibration cal, float raw) {
    double p = Math.min(1, Math.max(0, raw));
    return cal == null ? raw : cal.apply(p);
  }

  private static ScoreResult unscorable(ExamInput e, LoadedModel m, String reason, long t0) {
    return unscorable(e.examKey(), m, reason, t0);
  }

  private static ScoreResult unscorable(String examKey, LoadedModel m, String reason, long t0) {
    return new ScoreResult(
        examKey,
        false,
        reason,
        null,
        null,
        null,
        null,
        m.info(),
        m.device(),
        (System.nanoTime() - t0) / 1e6);
  }

  /** The active model, marked in use; the caller releases it. */
  private LoadedModel acquireActive() {
    LoadedModel m;
    do {
      m = active.get();
    } while (!m.acquire());
    return m;
  }

  /**
   * Encodes one working image on the active model (contract 2), batched with the images other
   * threads are encoding at the same time. A contract-1 model encodes nothing: the result says
   * {@link EncodeResult#MODEL_ENCODES_NO_VIEWS} and the caller keeps the image.
   */
  @Override
  public EncodeResult encode(ExamImage image) {
    LoadedModel m = acquireActive();
    try {
      if (!m.encodesViews()) {
        return EncodeResult.failed(m.info(), EncodeResult.MODEL_ENCODES_NO_VIEWS);
      }
      ModelManifest mf = m.manifest();
      int plane = mf.inputHeight() * mf.inputWidth();
      FloatBuffer buf = imageBuffer.get();
      if (buf == null || buf.capacity() < plane) {
        buf = ByteBuffer.allocateDirect(4 * plane).order(ByteOrder.nativeOrder()).asFloatBuffer();
        imageBuffer.set(buf);
      }
      boolean batched = batchMax > 1 && !closed;
      if (batched) {
        encodeBatcher.begin();
      }
      try {
        ImagePreparer.decodeNormalisedInto(
            image.png(), mf.inputHeight(), mf.inputWidth(), mf.normMean(), mf.normStd(), buf, 0);
      } catch (IOException e) {
        if (batched) {
          encodeBatcher.abandon();
        }
        LOG.warn(
            "the {} image {} does not decode: {}",
            image.slot(),
            image.sopInstanceUid(),
            e.getMessage());
        return EncodeResult.failed(m.info(), EncodeResult.UNDECODABLE_IMAGE);
      }
      ViewEncoding enc =
          batched ? encodeBatcher.submit(m, buf).get() : EncoderHeadRuns.encode(m, buf, 1)[0];
      if (!enc.isFinite()) {
        LOG.warn(
            "the {} image {} encodes to non-finite values on model {}",
            image.slot(),
            image.sopInstanceUid(),
            m.info().id());
        return EncodeResult.failed(m.info(), EncodeResult.NON_FINITE_OUTPUT);
      }
      return EncodeResult.ok(m.info(), enc);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while encoding " + image.sopInstanceUid(), e);
    } catch (OrtException | ExecutionException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.warn(
          "encoding {} failed on model {}: {}",
          image.sopInstanceUid(),
          m.info().id(),
          cause.toString());
      return new EncodeResult(m.info(), null, EncodeResult.RUNTIME_ERROR);
    } finally {
      m.release();
    }
  }

  /**
   * Scores an exam from its stored encodings with the exam head of the active model. Every encoding
   * must come from that model: otherwise nothing runs and the result is unscorable with {@link
   * ScoreResult#ENCODED_BY_OTHER_MODEL} (the caller re-encodes and asks again), so a score never
   * mixes two models.
   */
  @Override
  public ScoreResult scoreEncoded(String examKey, List<EncodedView> views) {
    long t0 = System.nanoTime();
    LoadedModel m = acquireActive();
    try {
      if (views.isEmpty()) {
        return unscorable(examKey, m, "NO_VIEWS", t0);
      }
      ViewEncoding[] slots = new ViewEncoding[4];
      boolean[] has = new boolean[4];
      for (EncodedView v : views) {
        if (!m.encodesViews() || !v.encoding().modelId().equals(m.info().id())) {
          return unscorable(examKey, m, ScoreResult.ENCODED_BY_OTHER_MODEL, t0);
        }
        int s = v.slot().ordinal();
        if (has[s]) {
          throw new IllegalArgumentException(
              "exam " + examKey + " has two views for slot " + v.slot());
        }
        has[s] = true;
        slots[s] = v.encoding();
      }
      try {
        EncoderHeadRuns.HeadOutput out = EncoderHeadRuns.head(m, List.<ViewEncoding[]>of(slots));
        return interpret(
            examKey, has, m, out.malignancy()[0], out.risk()[0], (System.nanoTime() - t0) / 1e6);
      } catch (OrtException e) {
        return unscorable(examKey, m, "RUNTIME_ERROR: " + e.getMessage(), t0);
      }
    } finally {
      m.release();
    }
  }

  private static final ThreadLocal<float[]> ZEROS = ThreadLocal.withInitial(() -> new float[0]);

  private static float[] zeros(int n) {
    float[] z = ZEROS.get();
    if (z.length < n) {
      z = new float[n];
      ZEROS.set(z);
    }
    return z;
  }

  private InputBlockPool.Block gatherBlock(int h, int w) {
    InputBlockPool.Block b = gather.get();
    if (b == null || !b.fits(h, w, batchMax)) {
      b = new InputBlockPool.Block(h, w, batchMax);
      gather.set(b);
    }
    return b;
  }

  /**
   * One run on blank inputs so the first real exam does not pay for session initialisation
   * (contract 2: an encoder run of one image and a head run).
   */
  private void warmUp(LoadedModel m) {
    int h = m.manifest().inputHeight();
    int w = m.manifest().inputWidth();
    FloatBuffer v =
        ByteBuffer.allocateDirect(4 * 4 * h * w).order(ByteOrder.nativeOrder()).asFloatBuffer();
    FloatBuffer p = ByteBuffer.allocateDirect(4 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    try {
      if (m.encodesViews()) {
        ViewEncoding[] one = EncoderHeadRuns.encode(m, v, 1);
        EncoderHeadRuns.head(
            m, List.<ViewEncoding[]>of(new ViewEncoding[] {one[0], null, null, null}));
      } else {
        runWholeExam(m, v, p, 1);
      }
    } catch (OrtException e) {
      m.retire();
      throw new ModelLoadException("warm-up run of " + m.dir() + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closed = true;
    batcher.interrupt();
    Pending p;
    while ((p = queue.poll()) != null) {
      p.result().complete(scoreBatch(List.of(p.exam())).get(0));
    }
    try {
      // the batcher may be preparing a batch: let it finish before the pool stops taking work
      batcher.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    prepare.shutdown();
    encodeBatcher.close();
    LoadedModel m = active.get();
    if (m != null) {
      m.retire();
    }
  }
}
