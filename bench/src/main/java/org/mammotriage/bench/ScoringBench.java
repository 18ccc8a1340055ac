package org.mammotriage.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.pixelmed.dicom.AttributeList;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.mammotriage.contract.Slot;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.TestModels;

/**
 * Exams/s of {@link OnnxExamScorer} (PNG decode, resize, normalise, run, checks) against a bare
 * ONNX Runtime loop that only runs the same session on prepared tensors, for batch sizes 1, 4 and
 * 16; the ratio is the scorer's overhead.
 */
final class ScoringBench {
  private ScoringBench() {}

  static volatile float blackhole;

  /** The scorer's throughput goal as a fraction of the bare loop's (issue #5). */
  static final double GOAL = 0.85;

  static void run(Path modelDir, int h, int w, int exams, int rounds) throws Exception {
    Path tmp = null;
    if (modelDir != null) {
      System.out.printf(Locale.ROOT, "bench scoring: model directory %s%n", modelDir);
    } else {
      tmp = Files.createTempDirectory("bench-model");
      modelDir = TestModels.write(tmp, TestModels.Kind.CONV, "bench-conv", "1", h, w);
      System.out.printf(
          Locale.ROOT,
          "bench scoring: reference conv model (3 strided convs 16/32/64, input %dx%d) built in code%n",
          h,
          w);
    }
    List<ExamInput> inputs = workingImages(exams);
    decodeBaseline(inputs);
    double prepCpu;
    try (LoadedModel m = ModelDirectory.load(modelDir, "auto", false, 0)) {
      // every later load uses the provider found here, so the fallback is logged once, and the
      // scorer's per-load log lines are left out of the table
      device = m.device();
      System.out.printf(Locale.ROOT, "  execution provider: %s%n", device);
      quietScoringLogs();
      prepareBaseline(inputs, m.manifest().inputHeight(), m.manifest().inputWidth());
      prepCpu = prepareCpuPerExam(inputs, m.manifest());
    }
    int cores = Runtime.getRuntime().availableProcessors();
    resetPeaks();
    List<String> missed = new ArrayList<>();
    System.out.printf(
        Locale.ROOT,
        "  %d rounds per batch size, scorer and bare loop alternating; medians, and the range of the"
            + " rounds' ratios%n",
        rounds);
    System.out.println(
        "  batch  scorer exams/s  bare-ORT exams/s  scorer/bare  (rounds)       scorer ms/exam"
            + "  scorer direct MB  model CPU ms/exam  bound  scorer/bound");
    List<String> bounds = new ArrayList<>();
    for (int batch : new int[] {1, 4, 16}) {
      double[] scorer = new double[rounds];
      double[] bare = new double[rounds];
      double[] ratio = new double[rounds];
      double[] modelCpu = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        scorer[r] = scorerRate(modelDir, inputs, batch);
        double[] b = bareRate(modelDir, batch, exams);
        bare[r] = b[0];
        modelCpu[r] = b[1];
        ratio[r] = scorer[r] / bare[r];
      }
      double mr = median(ratio);
      double bound = ratioBound(cores, median(modelCpu), prepCpu, median(bare));
      System.out.printf(
          Locale.ROOT,
          "  %5d  %14.1f  %16.1f  %11.3f  (%.3f-%.3f)  %14.1f  %16.0f  %17.1f  %5.2f  %11.2f%n",
          batch,
          median(scorer),
          median(bare),
          mr,
          Arrays.stream(ratio).min().orElseThrow(),
          Arrays.stream(ratio).max().orElseThrow(),
          1000 / median(scorer),
          lastDirect / 1e6,
          median(modelCpu),
          bound,
          mr / bound);
      BenchReport.current()
          .measure(
              tmp != null
                  ? String.format(Locale.ROOT, "scoring: reference conv model %dx%d", h, w)
                  : "scoring: " + modelDir.getFileName(),
              String.format(
                  Locale.ROOT, "scorer/bare ORT loop, batch %d (bound here %.2f)", batch, bound),
              mr,
              Arrays.stream(ratio).min().orElseThrow(),
              Arrays.stream(ratio).max().orElseThrow(),
              "range of " + rounds + " rounds",
              "x",
              String.format(Locale.ROOT, ">= %.2f", GOAL),
              GOAL,
              mr >= GOAL ? "met" : "NOT met");
      if (mr < GOAL) {
        missed.add(String.format(Locale.ROOT, "batch %d (%.3f)", batch, mr));
      }
      if (bound < GOAL) {
        bounds.add(String.format(Locale.ROOT, "batch %d %.2f", batch, bound));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "  bound: an estimate of the best scorer/bare that any scorer preparing these images can"
            + " reach here, when the model's CPU time per exam (measured in the bare loop) and the"
            + " preparation's (%.1f ms per exam: inflate, resize, normalise the 4 working images,"
            + " alone on %d threads, best of 3) share the %d cores: min(1, %d / (model +"
            + " preparation) / bare rate). VM noise moves it by about a tenth.%n",
        prepCpu,
        cores,
        cores,
        cores);
    System.out.printf(
        Locale.ROOT,
        "  peak heap during the run: %.0f MB (working images 1520x912 PNG, 4 per exam); scorer"
            + " direct MB: the direct memory a scorer holds after its run (pooled input blocks)%n",
        peakHeap() / 1e6);
    System.out.println(
        missed.isEmpty()
            ? String.format(
                Locale.ROOT, "  goal scorer >= %.2fx the bare loop: met at batch 1, 4 and 16", GOAL)
            : String.format(
                Locale.ROOT,
                "  goal scorer >= %.2fx the bare loop: NOT met at %s.%s See scoring/README.md",
                GOAL,
                String.join(", ", missed),
                bounds.isEmpty()
                    ? ""
                    : " It is out of reach on these "
                        + cores
                        + " cores (estimated bound "
                        + String.join(", ", bounds)
                        + "): preparing the four working images costs more CPU than this"
                        + " model's run."));
    if (tmp != null) {
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  /** Decoding the working PNGs: the direct grayscale decoder against ImageIO, same images. */
  static void decodeBaseline(List<ExamInput> inputs) throws Exception {
    List<byte[]> pngs = new java.util.ArrayList<>();
    inputs.forEach(e -> e.images().forEach(i -> pngs.add(i.png())));
    int[] dims = new int[2];
    for (byte[] p : pngs) { // warm both paths
      org.mammotriage.contract.image.ImagePreparer.decodeGray(p, dims);
      org.mammotriage.contract.image.ImagePreparer.decodeGrayImageIo(p, dims);
    }
    long t0 = System.nanoTime();
    for (byte[] p : pngs) {
      org.mammotriage.contract.image.ImagePreparer.decodeGray(p, dims);
    }
    long t1 = System.nanoTime();
    for (byte[] p : pngs) {
      org.mammotriage.contract.image.ImagePreparer.decodeGrayImageIo(p, dims);
    }
    long t2 = System.nanoTime();
    double direct = (t1 - t0) / 1e6 / pngs.size();
    double imageIo = (t2 - t1) / 1e6 / pngs.size();
    System.out.printf(
        Locale.ROOT,
        "  PNG decode of one %dx%d working image: direct %.2f ms, ImageIO %.2f ms (direct/ImageIO time %.2f)%n",
        dims[1],
        dims[0],
        direct,
        imageIo,
        direct / imageIo);
  }

  /**
   * Preparing one image for a model input of h×w: decode the whole image, copy it to floats and
   * resize (two passes, what the scorer did before) against resizing each row as it inflates.
   */
  static void prepareBaseline(List<ExamInput> inputs, int h, int w) throws Exception {
    List<byte[]> pngs = new java.util.ArrayList<>();
    inputs.forEach(e -> e.images().forEach(i -> pngs.add(i.png())));
    int[] dims = new int[2];
    float sink = 0;
    for (int round = 0; round < 2; round++) { // the first round warms both paths
      long t0 = System.nanoTime();
      for (byte[] p : pngs) {
        byte[] gray = org.mammotriage.contract.image.ImagePreparer.decodeGray(p, dims);
        float[] f = new float[gray.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = gray[i] & 0xff;
        }
        sink += org.mammotriage.contract.image.AreaResize.resize(f, dims[0], dims[1], h, w)[0];
      }
      long t1 = System.nanoTime();
      for (byte[] p : pngs) {
        sink -= org.mammotriage.contract.image.ImagePreparer.decodeAndResize(p, h, w)[0];
      }
      long t2 = System.nanoTime();
      blackhole = sink; // keeps the JIT from dropping the work
      if (round == 1) {
        double twoPass = (t1 - t0) / 1e6 / pngs.size();
        double fused = (t2 - t1) / 1e6 / pngs.size();
        System.out.printf(
            Locale.ROOT,
            "  preparing one image for %dx%d: decode then resize %.2f ms, resize while decoding %.2f ms (ratio %.2f)%n",
            h,
            w,
            twoPass,
            fused,
            fused / twoPass);
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double scorerRate(Path dir, List<ExamInput> inputs, int batch) throws Exception {
    long base = settledDirect();
    try (OnnxExamScorer s = new OnnxExamScorer(dir, device, false, 0, batch, 0)) {
      s.scoreBatch(inputs.subList(0, Math.min(batch, inputs.size()))); // warm
      ThreadCpu cpu0 = ThreadCpu.now();
      long t0 = System.nanoTime();
      s.scoreBatch(inputs);
      double secs = (System.nanoTime() - t0) / 1e9;
      lastCpu = ThreadCpu.now().since(cpu0);
      lastSeconds = secs;
      double rate = inputs.size() / secs;
      lastDirect = settledDirect() - base;
      return rate;
    }
  }

  /** CPU seconds by thread group of the last {@link #scorerRate} run, and its wall seconds. */
  static Map<String, Double> lastCpu = Map.of();

  static double lastSeconds;

  /** Direct memory the last measured scorer held after its run (pooled input blocks). */
  private static long lastDirect;

  private static long settledDirect() throws InterruptedException {
    System.gc(); // unreachable direct buffers are freed once collected
    Thread.sleep(200);
    return directInUse();
  }

  /** Direct buffer memory in use now (the scorer's input blocks and ONNX Runtime's buffers). */
  private static long directInUse() {
    for (java.lang.management.BufferPoolMXBean b :
        ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        return b.getMemoryUsed();
      }
    }
    return 0;
  }

  /**
   * The best scorer/bare ratio reachable when preparation and model share {@code cores} cores: the
   * scorer can run at most cores / (model + preparation CPU seconds per exam) exams/s.
   */
  static double ratioBound(int cores, double modelCpuMs, double prepCpuMs, double bareRate) {
    double rate = cores * 1000.0 / (modelCpuMs + prepCpuMs);
    return Math.min(1.0, rate / bareRate);
  }

  /** The execution provider the first load found (auto: cuda when available, else cpu). */
  private static String device = "auto";

  /** Leaves the scorer's INFO lines (one per model load) out of the bench's table. */
  private static void quietScoringLogs() {
    org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger("org.mammotriage.scoring");
    if (l instanceof ch.qos.logback.classic.Logger lb) {
      lb.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** CPU time of this process so far (all threads), ns. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU ms per exam of the scorer's preparation alone (the same call it makes for each image, into
   * a direct buffer), on one thread per core as the scorer's prepare pool; the least of three
   * passes after a warming one.
   */
  static double prepareCpuPerExam(List<ExamInput> inputs, org.mammotriage.contract.ModelManifest m)
      throws Exception {
    int h = m.inputHeight();
    int w = m.inputWidth();
    int cores = Runtime.getRuntime().availableProcessors();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(cores);
    try {
      double perExam = Double.MAX_VALUE;
      for (int pass = 0; pass < 4; pass++) {
        java.util.concurrent.atomic.AtomicInteger next =
            new java.util.concurrent.atomic.AtomicInteger();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        long cpu0 = processCpuNanos();
        for (int t = 0; t < cores; t++) {
          done.add(
              pool.submit(
                  () -> {
                    FloatBuffer buf =
                        ByteBuffer.allocateDirect(4 * 4 * h * w)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
                    for (int e; (e = next.getAndIncrement()) < inputs.size(); ) {
                      for (ExamImage img : inputs.get(e).images()) {
                        org.mammotriage.contract.image.ImagePreparer.decodeNormalisedInto(
                            img.png(),
                            h,
                            w,
                            m.normMean(),
                            m.normStd(),
                            buf,
                            img.slot().ordinal() * h * w);
                      }
                    }
                    blackhole = buf.get(0);
                    return null;
                  }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
        if (pass > 0) { // the first pass warms
          perExam = Math.min(perExam, (processCpuNanos() - cpu0) / 1e6 / inputs.size());
        }
      }
      return perExam;
    } finally {
      pool.shutdown();
    }
  }

  /** Exams/s of the bare loop and its CPU ms per exam (all of ONNX Runtime's threads). */
  private static double[] bareRate(Path dir, int batch, int exams) throws Exception {
    try (LoadedModel m = ModelDirectory.load(dir, device, false, 0)) {
      int h = m.manifest().inputHeight();
      int w = m.manifest().inputWidth();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      FloatBuffer views =
          ByteBuffer.allocateDirect(4 * batch * 4 * h * w)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      FloatBuffer present =
          ByteBuffer.allocateDirect(4 * batch * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      Random r = new Random(1);
      for (int i = 0; i < views.capacity(); i++) {
        views.put(i, (float) r.nextGaussian());
      }
      for (int i = 0; i < present.capacity(); i++) {
        present.put(i, 1f);
      }
      try (OnnxTensor v = OnnxTensor.createTensor(env, views, new long[] {batch, 4, 1, h, w});
          OnnxTensor p = OnnxTensor.createTensor(env, present, new long[] {batch, 4})) {
        runModel(m, v, p, batch); // warm
        int runs = Math.max(1, exams / batch);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          runModel(m, v, p, batch);
        }
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        return new double[] {
          runs * batch / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e6 / (runs * batch)
        };
      }
    }
  }

  /**
   * One run of the model on prepared tensors: contract 1, the whole-exam graph; contract 2, the
   * encoder on the batch's 4 × batch views, then the head on their encodings.
   */
  private static void runModel(LoadedModel m, OnnxTensor views, OnnxTensor present, int batch)
      throws Exception {
    if (!m.encodesViews()) {
      m.examScorer().run(Map.of("views", views, "present", present)).close();
      return;
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int h = m.manifest().inputHeight();
    int w = m.manifest().inputWidth();
    FloatBuffer pixels = views.getFloatBuffer();
    try (OnnxTensor images =
            OnnxTensor.createTensor(env, pixels, new long[] {batch * 4L, 1, h, w});
        OrtSession.Result enc = m.imageEncoder().run(Map.of("image", images))) {
      java.util.Map<String, OnnxTensor> feed = new java.util.HashMap<>();
      try {
        for (var e : enc) {
          long[] shape = ((OnnxTensor) e.getValue()).getInfo().getShape();
          feed.put(
              e.getKey(),
              OnnxTensor.createTensor(
                  env,
                  ((OnnxTensor) e.getValue()).getFloatBuffer(),
                  new long[] {batch, 4, shape[1]}));
        }
        feed.put("present", present);
        m.examHead().run(feed).close();
      } finally {
        feed.forEach(
            (k, t) -> {
              if (!k.equals("present")) {
                t.close();
              }
            });
      }
    }
  }

  /**
   * Working images as ingest makes them: a small full-size synthetic archive (both vendors, no
   * faults) through ingest's {@link Preprocessor}, 1520x912 8-bit PNGs. Exams draw their four views
   * from that pool in turn, so consecutive exams differ.
   */
  static List<ExamInput> workingImages(int exams) throws Exception {
    List<byte[]> pool = workingImagePool();
    List<ExamInput> list = new ArrayList<>();
    for (int e = 0; e < exams; e++) {
      List<ExamImage> imgs = new ArrayList<>();
      for (Slot s : Slot.values()) {
        imgs.add(
            new ExamImage(
                s, pool.get((e * 4 + s.ordinal()) % pool.size()), "bench." + e + "." + s));
      }
      list.add(new ExamInput("bench-" + e, imgs));
    }
    return list;
  }

  private static List<byte[]> workingImagePool() throws Exception {
    Path dir = Files.createTempDirectory("bench-scoring-archive");
    try {
      SyntheticArchive.of(SynthOptions.defaults(3, 11)).generate(dir);
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
      }
      Preprocessor pp = Preprocessor.defaults();
      List<byte[]> pool = new ArrayList<>();
      long bytes = 0;
      for (Path f : files) {
        AttributeList l = new AttributeList();
        l.read(f.toFile());
        byte[] png = pp.process(l).png();
        pool.add(png);
        bytes += png.length;
        if (pool.size() == 16) {
          break;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "  inputs: %d working images made by ingest's Preprocessor from a synthetic archive"
              + " (1520x912 PNG, mean %.0f KB)%n",
          pool.size(),
          bytes / 1024.0 / pool.size());
      return pool;
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
