package org.mammotriage.training.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.mammotriage.training.augment.Augmentation;
import org.mammotriage.training.data.PectoralLine;
import org.mammotriage.training.data.ViewGeometry;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.DepthColumns;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.report.MetaMasking;
import org.mammotriage.training.report.ReportTemplate;
import org.mammotriage.training.report.Tokenizer;

/**
 * Builds the inputs and labels of one pretraining step for each method from a list of breasts:
 *
 * <ul>
 *   <li>CLIP: one view per breast, chosen at random, with the breast's report.
 *   <li>MV-CLIP: CC and MLO, and the view swap draw (p = 0.5, MV-MLM §3.4) as the label.
 *   <li>GLAM: CC and MLO, plus each view's region mask ({@link DepthColumns}): super-patch columns
 *       as depth bins in mm from the pixel spacing and ingest crop ({@link ViewGeometry}), the MLO
 *       pectoral muscle ({@link PectoralLine}) left out. Geometry is taken before augmentation; the
 *       random affine then acts as GLAM's "soft alignment".
 *   <li>MaMA: one view per breast and its partner: with p = 0.5 the same image (augmented again),
 *       otherwise one of the other images of the same study, uniformly (MaMA §3.2, A.7); labels are
 *       the report's sentence-end mask and the local weight w.
 * </ul>
 *
 * Every image is augmented ({@link Augmentation}, MV-MLM's parameters) from a random stream derived
 * from (seed, step, sample, image), and the report is built with meta-information masking from the
 * step's stream, so a batch depends only on (seed, step, breasts).
 */
final class PretrainBatches {
  /** Inputs and labels of one batch. */
  record Batch(NDList inputs, NDList labels) {}

  private final PretrainMethod method;
  private final ModelConfig config;
  private final Tokenizer tokenizer;
  private final ViewImageLoader loader;
  private final double maskProbability;
  private final Augmentation.Params augment;
  private final Map<String, List<Path>> studies;
  private final long seed;
  private final int featureH;
  private final int featureW;
  private final Map<Path, float[]> pectoral = new ConcurrentHashMap<>();

  PretrainBatches(
      PretrainMethod method,
      ModelConfig config,
      Tokenizer tokenizer,
      ViewImageLoader loader,
      double maskProbability,
      Augmentation.Params augment,
      Map<String, List<Path>> studies,
      Shape featureShape,
      long seed) {
    this.method = method;
    this.config = config;
    this.tokenizer = tokenizer;
    this.loader = loader;
    this.maskProbability = maskProbability;
    this.augment = augment;
    this.studies = studies;
    this.featureH = (int) featureShape.get(1);
    this.featureW = (int) featureShape.get(2);
    this.seed = seed;
  }

  /**
   * One batch as host arrays: what a data-pipeline worker builds (no NDArray, so any thread may
   * call it).
   *
   * @param localWeight MaMA's w for this step (ignored by the other methods)
   * @param rnd the step's stream (view choices, swaps, partners, masking)
   */
  Host prepare(List<BreastSample> b, int step, float localWeight, Random rnd) throws IOException {
    int n = b.size();
    int h = config.inputHeight();
    int w = config.inputWidth();
    int hw = h * w;
    int len = config.textMaxLength();
    boolean two = method.multiView();
    float[] first = new float[n * hw];
    float[] second = two ? new float[n * hw] : null;
    long[] ids = new long[n * len];
    float[] mask = new float[n * len];
    float[] sentences = new float[n * len];
    float[] swap = new float[n];
    int m2 = config.glamGrid() * config.glamGrid();
    int cells = featureH * featureW;
    float[] regionsCc = method == PretrainMethod.GLAM ? new float[n * m2 * cells] : null;
    float[] regionsMlo = method == PretrainMethod.GLAM ? new float[n * m2 * cells] : null;
    MetaMasking masking =
        maskProbability > 0 ? MetaMasking.training(maskProbability, rnd) : MetaMasking.none();
    int dot = tokenizer.id(".");
    for (int i = 0; i < n; i++) {
      BreastSample s = b.get(i);
      if (method.ccMloPairs()) {
        put(first, i, s.cc(), step, i, 0);
        put(second, i, s.mlo(), step, i, 1);
        // MV-MLM: the view paired with the report is CC or MLO with p = 0.5
        swap[i] = rnd.nextBoolean() ? 1f : 0f;
        if (regionsCc != null) {
          regions(s, regionsCc, regionsMlo, i);
        }
      } else {
        Path view =
            s.cc() == null
                ? s.mlo()
                : s.mlo() == null ? s.cc() : rnd.nextBoolean() ? s.cc() : s.mlo();
        put(first, i, view, step, i, 0);
        if (method == PretrainMethod.MAMA) {
          put(second, i, partner(s, view, rnd), step, i, 1);
        }
      }
      int[] tok = tokenizer.encode(ReportTemplate.render(s.facts(), masking), len);
      for (int t = 0; t < len; t++) {
        ids[i * len + t] = tok[t];
        mask[i * len + t] = tok[t] == Tokenizer.PAD_ID ? 0f : 1f;
        sentences[i * len + t] = tok[t] == dot ? 1f : 0f;
      }
    }
    return new Host(
        method,
        n,
        h,
        w,
        len,
        m2,
        cells,
        first,
        second,
        ids,
        mask,
        sentences,
        swap,
        regionsCc,
        regionsMlo,
        localWeight);
  }

  /** {@link #prepare} then {@link Host#toNd}: one batch on the calling thread. */
  Batch build(NDManager m, List<BreastSample> b, int step, float localWeight, Random rnd)
      throws IOException {
    return prepare(b, step, localWeight, rnd).toNd(m);
  }

  /** A batch's pixels, tokens and labels in Java arrays. */
  record Host(
      PretrainMethod method,
      int n,
      int h,
      int w,
      int len,
      int regions,
      int cells,
      float[] first,
      float[] second,
      long[] ids,
      float[] mask,
      float[] sentences,
      float[] swap,
      float[] regionsCc,
      float[] regionsMlo,
      float localWeight) {

    /** Images the batch holds. */
    int images() {
      return second == null ? n : 2 * n;
    }

    /** The batch as NDArrays of {@code m}. */
    Batch toNd(NDManager m) {
      Shape img = new Shape(n, 1, h, w);
      Shape txt = new Shape(n, len);
      NDArray idArr = m.create(ids, txt);
      NDArray maskArr = m.create(mask, txt);
      if (second == null) {
        return new Batch(new NDList(m.create(first, img), idArr, maskArr), new NDList());
      }
      NDList in = new NDList(m.create(first, img), m.create(second, img), idArr, maskArr);
      return switch (method) {
        case MVCLIP -> new Batch(in, new NDList(m.create(swap, new Shape(n))));
        case GLAM -> {
          Shape r = new Shape(n, regions, cells);
          in.add(m.create(regionsCc, r));
          in.add(m.create(regionsMlo, r));
          yield new Batch(in, new NDList());
        }
        case MAMA ->
            new Batch(
                in, new NDList(m.create(sentences, txt), m.create(new float[] {localWeight})));
        case CLIP -> throw new IllegalStateException("CLIP has one image per sample");
      };
    }
  }

  private Path partner(BreastSample s, Path view, Random rnd) {
    return partner(studies.getOrDefault(s.row().studyUid(), List.of()), view, rnd);
  }

  /**
   * MaMA's partner of {@code view}: itself (augmented again) with p = 0.5, else one of the other
   * images of its study, uniformly; always two draws, so the stream layout does not depend on the
   * study.
   */
  static Path partner(List<Path> study, Path view, Random rnd) {
    boolean self = rnd.nextBoolean();
    List<Path> others = new ArrayList<>(study);
    others.remove(view);
    int pick = rnd.nextInt(Math.max(1, others.size()));
    return self || others.isEmpty() ? view : others.get(pick);
  }

  private void put(float[] into, int i, Path image, int step, int sample, int which)
      throws IOException {
    int h = config.inputHeight();
    int w = config.inputWidth();
    float[] px = loader.load(image);
    float fill = -config.normMean() / config.normStd();
    long s = seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + sample * 31L + which;
    // java.util.Random's first draws are correlated for nearby seeds: scramble the seed first
    Random rnd = new Random(new java.util.SplittableRandom(s).nextLong());
    float[] out = Augmentation.apply(px, h, w, fill, augment, rnd);
    System.arraycopy(out, 0, into, i * h * w, h * w);
  }

  private void regions(BreastSample s, float[] cc, float[] mlo, int i) throws IOException {
    ViewGeometry gCc = loader.geometry(s.cc());
    ViewGeometry gMlo = loader.geometry(s.mlo());
    double depth = Math.max(gCc.breastDepthMm(), gMlo.breastDepthMm());
    int grid = config.glamGrid();
    float[] a =
        DepthColumns.mask(
            featureH,
            featureW,
            grid,
            new DepthColumns.View(gCc.mmPerColumn(featureW), null),
            depth);
    float[] b =
        DepthColumns.mask(
            featureH,
            featureW,
            grid,
            new DepthColumns.View(gMlo.mmPerColumn(featureW), pectoralCells(s.mlo())),
            depth);
    System.arraycopy(a, 0, cc, i * a.length, a.length);
    System.arraycopy(b, 0, mlo, i * b.length, b.length);
  }

  private float[] pectoralCells(Path mlo) throws IOException {
    float[] hit = pectoral.get(mlo);
    if (hit != null) {
      return hit;
    }
    int h = config.inputHeight();
    int w = config.inputWidth();
    float background = -config.normMean() / config.normStd();
    PectoralLine line = PectoralLine.estimate(loader.load(mlo), h, w, background);
    float[] f = line.cellFractions(h, w, featureH, featureW);
    pectoral.put(mlo, f);
    return f;
  }
}
