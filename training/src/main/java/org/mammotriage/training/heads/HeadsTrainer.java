package org.mammotriage.training.heads;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains both heads on frozen embeddings: view-level malignancy BCE over present views plus the
 * censoring-masked yearly BCE of the risk head (Mirai), AdamW, fixed epochs; the epoch with the
 * lowest validation loss is kept.
 */
public final class HeadsTrainer {

  /** Training settings. */
  public record Options(
      int epochs, int batchSize, float learningRate, float weightDecay, long seed) {
    public static Options defaults() {
      return new Options(40, 32, 1e-3f, 1e-4f, 7L);
    }
  }

  /** The trained heads (owned by the caller's manager) and the loss history. */
  public record Result(
      ExamHeads heads, List<Double> trainLoss, List<Double> valLoss, int bestEpoch) {}

  private HeadsTrainer() {}

  public static Result train(
      NDManager manager,
      HeadsConfig config,
      EmbeddingTable train,
      EmbeddingTable val,
      Options opt,
      Consumer<String> progress) {
    if (train.exams().isEmpty()) {
      throw new IllegalArgumentException(
          "no training exams: the manifest has no 'train' split rows");
    }
    List<Double> trainLoss = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    byte[] best = null;
    int bestEpoch = -1;
    double bestLoss = Double.POSITIVE_INFINITY;
    ExamHeads heads = new ExamHeads(config);
    try (Model model = Model.newInstance("heads")) {
      model.setBlock(heads);
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(new MaskedBinaryCrossEntropy("heads"))
              .optOptimizer(
                  Optimizer.adamW()
                      .optLearningRateTracker(Tracker.fixed(opt.learningRate()))
                      .optWeightDecays(opt.weightDecay())
                      .build());
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(1, 4, config.embeddingDim()), new Shape(1, 4));
        Random rnd = new Random(opt.seed());
        for (int epoch = 0; epoch < opt.epochs(); epoch++) {
          int[] order = org.mammotriage.training.data.Permutation.of(train.exams().size(), rnd);
          double sum = 0;
          int batches = 0;
          for (int from = 0; from < order.length; from += opt.batchSize()) {
            int[] idx =
                java.util.Arrays.copyOfRange(
                    order, from, Math.min(order.length, from + opt.batchSize()));
            try (NDManager sub = model.getNDManager().newSubManager();
                GradientCollector gc = trainer.newGradientCollector()) {
              NDList out =
                  trainer.forward(new NDList(train.batch(sub, idx), train.present(sub, idx)));
              NDArray loss = loss(sub, train, idx, out, config.years());
              gc.backward(loss);
              sum += loss.getFloat();
              batches++;
            }
            trainer.step();
          }
          trainLoss.add(sum / batches);
          double v = val.exams().isEmpty() ? sum / batches : evaluate(model, heads, val, config);
          valLoss.add(v);
          if (v < bestLoss) {
            bestLoss = v;
            bestEpoch = epoch;
            best = snapshot(heads);
          }
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "heads epoch %d/%d: train loss %.4f, val loss %.4f",
                  epoch + 1,
                  opt.epochs(),
                  sum / batches,
                  v));
        }
      }
    }
    ExamHeads result = new ExamHeads(config);
    result.initialize(
        manager, DataType.FLOAT32, new Shape(1, 4, config.embeddingDim()), new Shape(1, 4));
    restore(result, manager, best);
    return new Result(result, trainLoss, valLoss, bestEpoch);
  }

  private static double evaluate(
      Model model, ExamHeads heads, EmbeddingTable val, HeadsConfig config) {
    int[] idx = java.util.stream.IntStream.range(0, val.exams().size()).toArray();
    try (NDManager sub = model.getNDManager().newSubManager()) {
      NDList out =
          heads.forward(
              new ParameterStore(sub, false),
              new NDList(val.batch(sub, idx), val.present(sub, idx)),
              false);
      return loss(sub, val, idx, out, config.years()).getFloat();
    }
  }

  /** Malignancy BCE over present views + masked yearly risk BCE. */
  static NDArray loss(NDManager m, EmbeddingTable t, int[] idx, NDList out, int years) {
    float[] viewY = new float[idx.length * 4];
    float[] riskY = new float[idx.length * years];
    float[] riskMask = new float[idx.length * years];
    for (int i = 0; i < idx.length; i++) {
      ExamRecord e = t.exams().get(idx[i]);
      System.arraycopy(e.viewLabels(), 0, viewY, i * 4, 4);
      HazardTargets h = HazardTargets.of(e.outcome(), years);
      System.arraycopy(h.labels(), 0, riskY, i * years, years);
      System.arraycopy(h.mask(), 0, riskMask, i * years, years);
    }
    NDArray present = t.present(m, idx);
    NDArray malignancy =
        MaskedBinaryCrossEntropy.of(out.get(0), m.create(viewY, new Shape(idx.length, 4)), present);
    NDArray risk =
        MaskedBinaryCrossEntropy.of(
            out.get(1),
            m.create(riskY, new Shape(idx.length, years)),
            m.create(riskMask, new Shape(idx.length, years)));
    return malignancy.add(risk);
  }

  static byte[] snapshot(ExamHeads heads) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      heads.saveParameters(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot snapshot head parameters", e);
    }
    return bytes.toByteArray();
  }

  static void restore(ExamHeads heads, NDManager manager, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      heads.loadParameters(manager, in);
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException("cannot restore head parameters", e);
    }
  }
}
