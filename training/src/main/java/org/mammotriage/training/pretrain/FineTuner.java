package org.mammotriage.training.pretrain;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.progress.Progress;
import org.mammotriage.training.augment.Augmentation;
import org.mammotriage.training.data.Prefetcher;
import org.mammotriage.training.data.ViewImageLoader;

/**
 * Supervised fine-tuning of a pretrained image encoder on view-level labels (the "fine-tune the
 * encoder" option of the malignancy head): the encoder's embedding → a linear layer with three
 * logits (malignancy, mass, calcification of the view's breast) → class-weighted binary
 * cross-entropy, AdamW with warm-up and cosine decay. Malignancy AUC on the validation views is
 * measured every {@code evalEvery} steps and the encoder of the best step is kept, so fine-tuning
 * never leaves a worse encoder than the best it saw. The encoder's parameters are updated in place.
 */
public final class FineTuner {
  static final String[] TASKS = {"malignancy", "mass", "calcification"};

  /** Settings; {@code augment} is applied to every training view (none by default). */
  public record Options(
      int steps,
      int batchSize,
      float learningRate,
      float weightDecay,
      int evalEvery,
      long seed,
      Augmentation.Params augment) {

    public Options(
        int steps, int batchSize, float learningRate, float weightDecay, int evalEvery, long seed) {
      this(
          steps, batchSize, learningRate, weightDecay, evalEvery, seed, Augmentation.Params.none());
    }
  }

  /**
   * Outcome: validation malignancy AUC before (step 0) and at the kept step, and the training loss
   * of every step.
   */
  public record Result(double valAucBefore, double valAucBest, int bestStep, double[] losses) {}

  /** One view with its labels. */
  record View(Path image, float[] labels) {}

  private FineTuner() {}

  public static Result fineTune(
      Block encoder,
      int embeddingDim,
      PretrainData data,
      ViewImageLoader loader,
      Options o,
      Consumer<String> progress)
      throws IOException {
    List<View> train = views(data, "train");
    List<View> val = views(data, "val");
    if (train.isEmpty()) {
      throw new IllegalArgumentException("fine-tuning needs labelled views in the 'train' split");
    }
    float[] posWeight = new float[TASKS.length];
    for (int t = 0; t < TASKS.length; t++) {
      int pos = 0;
      for (View v : train) {
        pos += v.labels()[t] > 0.5f ? 1 : 0;
      }
      // balance positives and negatives, capped so a handful of positives cannot dominate
      posWeight[t] = pos == 0 ? 1f : Math.min(20f, (train.size() - pos) / (float) pos);
    }
    int h = loader.height();
    int w = loader.width();
    Classifier net = new Classifier(encoder);
    byte[] best = snapshot(encoder);
    double before;
    double bestAuc;
    double[] losses;
    int bestStep = 0;
    try (Model model = Model.newInstance("fine-tune")) {
      model.setBlock(net);
      WarmupCosine schedule =
          new WarmupCosine(o.learningRate(), Math.max(1, o.steps() / 10), o.steps(), 0.01f, 0);
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
              .optOptimizer(
                  Optimizer.adamW()
                      .optLearningRateTracker(schedule)
                      .optWeightDecays(o.weightDecay())
                      .build());
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(o.batchSize(), 1, h, w));
        org.mammotriage.training.model.ConvGradientCheck.requireCorrect(
            net, trainer.getDevices()[0], progress);
        before = valAuc(net, model.getNDManager(), loader, val);
        bestAuc = before;
        progress.accept(
            String.format(Locale.ROOT, "fine-tune: validation malignancy AUC before %.3f", before));
        Random rnd = new Random(o.seed());
        Progress bar = new Progress("fine-tune", "img", o.steps(), 10_000, progress);
        int n = Math.min(o.batchSize(), train.size());
        // the views of every step, drawn up front (ints only) so workers can build any step
        int[][] picks = new int[o.steps()][n];
        int[] order = org.mammotriage.training.data.Permutation.of(train.size(), rnd);
        int pos = 0;
        for (int step = 0; step < o.steps(); step++) {
          for (int i = 0; i < n; i++) {
            if (pos == order.length) {
              order = org.mammotriage.training.data.Permutation.of(train.size(), rnd);
              pos = 0;
            }
            picks[step][i] = order[pos++];
          }
        }
        losses = new double[o.steps()];
        float fill = (float) (-loader.mean() / loader.std());
        int workers = Pretrainer.Options.defaultWorkers();
        try (Prefetcher<float[][]> pipe =
            new Prefetcher<>(
                0,
                o.steps(),
                step -> {
                  float[] px = new float[n * h * w];
                  float[] y = new float[n * TASKS.length];
                  for (int i = 0; i < n; i++) {
                    View v = train.get(picks[step][i]);
                    float[] img =
                        Augmentation.apply(
                            loader.load(v.image()),
                            h,
                            w,
                            fill,
                            o.augment(),
                            new Random(
                                new java.util.SplittableRandom(
                                        o.seed() * 1_000_003L + step * 64L + i)
                                    .nextLong()));
                    System.arraycopy(img, 0, px, i * h * w, h * w);
                    System.arraycopy(v.labels(), 0, y, i * TASKS.length, TASKS.length);
                  }
                  return new float[][] {px, y};
                },
                workers,
                2 * workers)) {
          for (int step = 0; step < o.steps(); step++) {
            float[][] host = pipe.next();
            float[] px = host[0];
            float[] y = host[1];
            float loss;
            try (NDManager sub = model.getNDManager().newSubManager()) {
              NDArray x = sub.create(px, new Shape(n, 1, h, w));
              NDArray labels = sub.create(y, new Shape(n, TASKS.length));
              pipe.release();
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray l =
                    weightedBce(logits, labels, sub.create(posWeight, new Shape(1, TASKS.length)));
                gc.backward(l);
                loss = l.getFloat();
                losses[step] = loss;
              }
              trainer.step();
            }
            bar.update(
                step + 1,
                (step + 1L) * n,
                String.format(Locale.ROOT, "loss %.4f lr %.2e", loss, schedule.at(step)));
            if ((step + 1) % o.evalEvery() == 0 || step + 1 == o.steps()) {
              double auc = valAuc(net, model.getNDManager(), loader, val);
              progress.accept(
                  String.format(
                      Locale.ROOT,
                      "fine-tune step %d: validation malignancy AUC %.3f",
                      step + 1,
                      auc));
              if (auc > bestAuc || Double.isNaN(bestAuc)) {
                bestAuc = auc;
                bestStep = step + 1;
                best = snapshot(encoder);
              }
            }
          }
        }
      }
    }
    restore(encoder, best);
    return new Result(before, bestAuc, bestStep, losses);
  }

  /** Mean over samples and tasks of BCE with logits, positives weighted by {@code posWeight}. */
  static NDArray weightedBce(NDArray logits, NDArray y, NDArray posWeight) {
    // log σ(z) = −softplus(−z); log(1−σ(z)) = −softplus(z)
    NDArray logP = softplus(logits.neg()).neg();
    NDArray logQ = softplus(logits).neg();
    NDArray l = y.mul(posWeight).mul(logP).add(y.neg().add(1f).mul(logQ)).neg();
    return l.mean();
  }

  private static NDArray softplus(NDArray x) {
    // stable: max(x, 0) + log(1 + exp(−|x|))
    return x.maximum(0f).add(x.abs().neg().exp().add(1f).log());
  }

  static List<View> views(PretrainData data, String split) {
    List<View> out = new ArrayList<>();
    for (BreastSample b : data.split(split, false)) {
      float[] labels = new float[TASKS.length];
      boolean known = true;
      for (int t = 0; t < TASKS.length; t++) {
        int l = b.label(TASKS[t]);
        known &= l >= 0;
        labels[t] = Math.max(0, l);
      }
      if (!known) {
        continue;
      }
      for (Path p : new Path[] {b.cc(), b.mlo()}) {
        if (p != null) {
          out.add(new View(p, labels));
        }
      }
    }
    return out;
  }

  private static double valAuc(Classifier net, NDManager m, ViewImageLoader loader, List<View> val)
      throws IOException {
    if (val.isEmpty()) {
      return Double.NaN;
    }
    int h = loader.height();
    int w = loader.width();
    double[] scores = new double[val.size()];
    int[] labels = new int[val.size()];
    ParameterStore ps = new ParameterStore(m, false);
    for (int from = 0; from < val.size(); from += 32) {
      int n = Math.min(32, val.size() - from);
      float[] px = new float[n * h * w];
      for (int i = 0; i < n; i++) {
        System.arraycopy(loader.load(val.get(from + i).image()), 0, px, i * h * w, h * w);
        labels[from + i] = val.get(from + i).labels()[0] > 0.5f ? 1 : 0;
      }
      try (NDManager sub = m.newSubManager()) {
        float[] z =
            net.forward(ps, new NDList(sub.create(px, new Shape(n, 1, h, w))), false)
                .singletonOrThrow()
                .toFloatArray();
        for (int i = 0; i < n; i++) {
          scores[from + i] = z[i * TASKS.length];
        }
      }
    }
    return Auc.of(scores, labels);
  }

  private static byte[] snapshot(Block b) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      b.saveParameters(out);
    }
    return bytes.toByteArray();
  }

  private static void restore(Block b, byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      b.loadParameters(b.getParameters().valueAt(0).getArray().getManager(), in);
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException("cannot restore the best fine-tuned encoder: " + e.getMessage(), e);
    }
  }

  /** The encoder's embedding followed by a linear layer of one logit per task. */
  static final class Classifier extends AbstractBlock {
    private final Block encoder;
    private final Linear out;

    Classifier(Block encoder) {
      super((byte) 1);
      this.encoder = addChildBlock("encoder", encoder);
      this.out = addChildBlock("out", Linear.builder().setUnits(TASKS.length).build());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      NDArray z = encoder.forward(ps, in, training).head();
      return out.forward(ps, new NDList(z), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      return new Shape[] {new Shape(in[0].get(0), TASKS.length)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      encoder.initialize(manager, dataType, in);
      Shape z = encoder.getOutputShapes(in)[0];
      out.initialize(manager, dataType, z);
    }
  }
}
