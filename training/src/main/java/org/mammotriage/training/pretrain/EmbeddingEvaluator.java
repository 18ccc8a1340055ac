package org.mammotriage.training.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.evaluation.metrics.BalancedAccuracy;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.progress.Progress;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.report.Tokenizer;
import org.mammotriage.training.report.ZeroShotPrompts;

/**
 * Evaluates a pretrained image encoder on the test split, per image (CC and MLO of every breast):
 * zero-shot classification with report prompts (MaMA A.5: the image's own unmasked meta prefix plus
 * one class sentence per class) and linear probes trained on 1%, 10% and 100% of the training
 * labels, for mass, calcification, malignancy and density. AUC (macro one-vs-rest for density) with
 * a percentile-bootstrap 95% CI that resamples patients (their images are not independent), and
 * balanced accuracy.
 */
public final class EmbeddingEvaluator {
  public static final List<String> TASKS =
      List.of("mass", "calcification", "malignancy", "density");
  public static final double[] FRACTIONS = {0.01, 0.10, 1.00};
  static final int RESAMPLES = 500;
  // a fixed CLIP-style temperature for zero-shot probabilities (AUC of a binary task ignores it)
  static final float ZERO_SHOT_SCALE = 1 / 0.07f;

  /** One cell of the table: a task evaluated zero-shot (fraction 0) or by a probe. */
  public record Metric(
      String task,
      String mode,
      double fraction,
      int trainSamples,
      int testSamples,
      BootstrapCi.Interval auc,
      double balancedAccuracy) {}

  /** Everything measured on one model. */
  public record Result(
      String model,
      String method,
      int trainImages,
      int testImages,
      List<Metric> metrics,
      long seconds) {

    public Metric find(String task, String mode, double fraction) {
      return metrics.stream()
          .filter(
              m ->
                  m.task().equals(task)
                      && m.mode().equals(mode)
                      && Math.abs(m.fraction() - fraction) < 1e-9)
          .findFirst()
          .orElse(null);
    }
  }

  /** One image with its breast. */
  record Sample(Path image, BreastSample breast) {}

  private EmbeddingEvaluator() {}

  public static Result evaluate(
      PretrainedModel pm,
      PretrainData data,
      String name,
      Path imageCache,
      int batch,
      long seed,
      Consumer<String> progress)
      throws IOException {
    long t0 = System.nanoTime();
    ModelConfig c = pm.config();
    ViewImageLoader loader =
        new ViewImageLoader(
            Preprocessor.defaults(), c.inputHeight(), c.inputWidth(), c.normMean(), c.normStd());
    if (imageCache != null) {
      loader = loader.withDiskCache(imageCache);
    }
    List<Sample> train = samples(data, "train");
    List<Sample> test = samples(data, "test");
    if (test.isEmpty() || train.isEmpty()) {
      throw new IllegalArgumentException(
          "the manifest needs 'train' and 'test' rows (found "
              + train.size()
              + " train and "
              + test.size()
              + " test images)");
    }
    List<Metric> metrics = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      float[][] zTrain = encode(pm, ps, m, loader, train, batch, "embeddings (train)", progress);
      float[][] zTest = encode(pm, ps, m, loader, test, batch, "embeddings (test)", progress);
      Map<String, float[]> textCache = new HashMap<>();
      for (String task : TASKS) {
        ZeroShotPrompts.Task zt = ZeroShotPrompts.Task.valueOf(task.toUpperCase(Locale.ROOT));
        int k = zt.classes();
        List<Integer> idx = labelled(test, task);
        double[][] probs = new double[idx.size()][];
        int[] y = new int[idx.size()];
        for (int i = 0; i < idx.size(); i++) {
          Sample s = test.get(idx.get(i));
          y[i] = s.breast().label(task);
          List<String> prompts = ZeroShotPrompts.prompts(zt, s.breast().facts());
          double[] logits = new double[k];
          for (int cl = 0; cl < k; cl++) {
            float[] zt2 = text(pm, ps, m, prompts.get(cl), textCache);
            logits[cl] = ZERO_SHOT_SCALE * dot(zTest[idx.get(i)], zt2);
          }
          probs[i] = softmax(logits);
        }
        String[] patients = new String[idx.size()];
        for (int i = 0; i < idx.size(); i++) {
          patients[i] = test.get(idx.get(i)).breast().patientId();
        }
        metrics.add(metric(task, "zero-shot", 0, 0, probs, y, patients, k, seed));
        progress.accept("zero-shot " + task + ": " + format(metrics.get(metrics.size() - 1)));
        for (double f : FRACTIONS) {
          List<Integer> pool = labelled(train, task);
          List<Integer> chosen =
              stratified(pool, train, task, f, k, new Random(seed + Math.round(f * 1000)));
          float[][] x = new float[chosen.size()][];
          int[] ty = new int[chosen.size()];
          for (int i = 0; i < chosen.size(); i++) {
            x[i] = zTrain[chosen.get(i)];
            ty[i] = train.get(chosen.get(i)).breast().label(task);
          }
          LinearProbe probe = LinearProbe.fit(x, ty, k, 1e-4, 300);
          double[][] p = new double[idx.size()][];
          for (int i = 0; i < idx.size(); i++) {
            p[i] = probe.predict(zTest[idx.get(i)]);
          }
          metrics.add(metric(task, "linear-probe", f, chosen.size(), p, y, patients, k, seed));
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "probe %s @%.0f%%: %s",
                  task,
                  f * 100,
                  format(metrics.get(metrics.size() - 1))));
        }
      }
    }
    return new Result(
        name,
        pm.method().id(),
        train.size(),
        test.size(),
        metrics,
        (System.nanoTime() - t0) / 1_000_000_000L);
  }

  static String format(Metric m) {
    return String.format(
        Locale.ROOT,
        "AUC %s, balanced accuracy %.3f (n=%d)",
        m.auc().format(),
        m.balancedAccuracy(),
        m.testSamples());
  }

  private static Metric metric(
      String task,
      String mode,
      double fraction,
      int trainN,
      double[][] probs,
      int[] y,
      String[] patients,
      int k,
      long seed) {
    // the images of one woman (CC and MLO, both breasts) are resampled together
    BootstrapCi.Interval auc =
        BootstrapCi.clustered(
            probs,
            y,
            patients,
            "patient",
            k == 2 ? (s, l) -> Auc.of(column(s, 1), l) : Auc::macroOneVsRest,
            RESAMPLES,
            0.95,
            seed);
    return new Metric(
        task, mode, fraction, trainN, y.length, auc, BalancedAccuracy.ofArgMax(probs, y));
  }

  private static double[] column(double[][] s, int c) {
    double[] out = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[i][c];
    }
    return out;
  }

  static List<Sample> samples(PretrainData data, String split) {
    List<Sample> out = new ArrayList<>();
    for (BreastSample b : data.split(split, false)) {
      if (b.cc() != null) {
        out.add(new Sample(b.cc(), b));
      }
      if (b.mlo() != null) {
        out.add(new Sample(b.mlo(), b));
      }
    }
    return out;
  }

  private static List<Integer> labelled(List<Sample> s, String task) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (s.get(i).breast().label(task) >= 0) {
        out.add(i);
      }
    }
    return out;
  }

  /** A share {@code f} of each class (at least one sample of every class present). */
  static List<Integer> stratified(
      List<Integer> pool, List<Sample> s, String task, double f, int k, Random rnd) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i : pool) {
      byClass.get(s.get(i).breast().label(task)).add(i);
    }
    List<Integer> out = new ArrayList<>();
    for (List<Integer> cl : byClass) {
      java.util.Collections.shuffle(cl, rnd);
      int n = cl.isEmpty() ? 0 : Math.max(1, (int) Math.round(f * cl.size()));
      out.addAll(cl.subList(0, n));
    }
    return out;
  }

  private static float[][] encode(
      PretrainedModel pm,
      ParameterStore ps,
      NDManager m,
      ViewImageLoader loader,
      List<Sample> samples,
      int batch,
      String what,
      Consumer<String> progress)
      throws IOException {
    ModelConfig c = pm.config();
    int hw = c.inputHeight() * c.inputWidth();
    float[][] out = new float[samples.size()][];
    Progress bar = new Progress(what, "img", samples.size(), 10_000, progress);
    for (int from = 0; from < samples.size(); from += batch) {
      int n = Math.min(batch, samples.size() - from);
      float[] px = new float[n * hw];
      for (int i = 0; i < n; i++) {
        System.arraycopy(loader.load(samples.get(from + i).image()), 0, px, i * hw, hw);
      }
      try (NDManager sub = m.newSubManager()) {
        NDArray x = sub.create(px, new Shape(n, 1, c.inputHeight(), c.inputWidth()));
        NDArray z = pm.net().imageTower().forward(ps, new NDList(x), false).get(0);
        float[] flat = z.toFloatArray();
        int d = (int) z.getShape().get(1);
        for (int i = 0; i < n; i++) {
          out[from + i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
      }
      bar.update(from + n, from + n, "");
    }
    return out;
  }

  private static float[] text(
      PretrainedModel pm,
      ParameterStore ps,
      NDManager m,
      String prompt,
      Map<String, float[]> cache) {
    float[] hit = cache.get(prompt);
    if (hit != null) {
      return hit;
    }
    int len = pm.config().textMaxLength();
    int[] tok = pm.tokenizer().encode(prompt, len);
    long[] ids = new long[len];
    float[] mask = new float[len];
    for (int t = 0; t < len; t++) {
      ids[t] = tok[t];
      mask[t] = tok[t] == Tokenizer.PAD_ID ? 0f : 1f;
    }
    try (NDManager sub = m.newSubManager()) {
      NDList in =
          new NDList(sub.create(ids, new Shape(1, len)), sub.create(mask, new Shape(1, len)));
      float[] z = pm.net().textTower().forward(ps, in, false).get(0).toFloatArray();
      cache.put(prompt, z);
      return z;
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] softmax(double[] l) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : l) {
      max = Math.max(max, v);
    }
    double[] p = new double[l.length];
    double sum = 0;
    for (int i = 0; i < l.length; i++) {
      p[i] = Math.exp(l[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < l.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
