package org.mammotriage.training.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.io.IOException;
import java.util.Random;
import org.mammotriage.training.data.Prefetcher;
import org.mammotriage.training.model.GlobalAvgPool;
import org.mammotriage.training.model.ResNetEncoder;
import org.mammotriage.training.pretrain.CheckpointedAdamW;

/**
 * The DJL side of {@code ./run bench train}: training steps/s of a ResNet (the project's {@link
 * ResNetEncoder}, one input channel, global average pool, one logit, BCE with logits, AdamW as
 * pretraining uses it) on fixed random input, and the data pipeline's images/s ({@link Prefetcher}
 * workers building batches of augmented images) to set against the step rate.
 */
public final class TrainBench {
  /** What was measured. */
  public record Result(double stepsPerSecond, double loaderImagesPerSecond) {}

  private TrainBench() {}

  /** Steps/s of the DJL training step after {@code warmup} steps. */
  public static double djlStepsPerSecond(
      int depth, int width, int batch, int h, int w, int warmup, int steps) {
    Engine.getInstance().setRandomSeed(1);
    SequentialBlock net =
        new SequentialBlock()
            .add(ResNetEncoder.builder().setDepth(depth).optWidth(width).build())
            .add(new GlobalAvgPool())
            .add(Linear.builder().setUnits(1).build());
    Random r = new Random(1);
    float[] x = new float[batch * h * w];
    float[] y = new float[batch];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextBoolean() ? 1f : 0f;
    }
    try (Model model = Model.newInstance("bench-train")) {
      model.setBlock(net);
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
              .optOptimizer(
                  new CheckpointedAdamW(ai.djl.training.tracker.Tracker.fixed(1e-3f), 1e-4f));
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(batch, 1, h, w));
        for (int i = 0; i < warmup; i++) {
          step(trainer, model, x, y, batch, h, w);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          step(trainer, model, x, y, batch, h, w);
        }
        return steps / ((System.nanoTime() - t0) / 1e9);
      }
    }
  }

  private static void step(
      Trainer trainer, Model model, float[] x, float[] y, int batch, int h, int w) {
    try (NDManager sub = model.getNDManager().newSubManager()) {
      NDArray in = sub.create(x, new Shape(batch, 1, h, w));
      NDArray label = sub.create(y, new Shape(batch, 1));
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDArray pred = trainer.forward(new NDList(in)).singletonOrThrow();
        NDArray l = trainer.getLoss().evaluate(new NDList(label), new NDList(pred));
        gc.backward(l);
        l.getFloat();
      }
      trainer.step();
    }
  }

  /**
   * Images/s the pipeline builds: {@code workers} threads, batches of {@code batch} images, each
   * decoded from PNG, resized and augmented as pretraining does.
   */
  public static double loaderImagesPerSecond(
      org.mammotriage.training.data.ViewImageLoader loader,
      java.util.List<java.nio.file.Path> images,
      int batch,
      int workers,
      int batches)
      throws IOException {
    int h = loader.height();
    int w = loader.width();
    float fill = (float) (-loader.mean() / loader.std());
    long t0 = System.nanoTime();
    try (Prefetcher<float[]> p =
        new Prefetcher<>(
            0,
            batches,
            s -> {
              float[] out = new float[batch * h * w];
              for (int i = 0; i < batch; i++) {
                float[] px = loader.load(images.get((s * batch + i) % images.size()));
                float[] a =
                    org.mammotriage.training.augment.Augmentation.apply(
                        px,
                        h,
                        w,
                        fill,
                        org.mammotriage.training.augment.Augmentation.Params.mvMlm(),
                        new Random(s * 31L + i));
                System.arraycopy(a, 0, out, i * h * w, h * w);
              }
              return out;
            },
            workers,
            2 * workers)) {
      for (int s = 0; s < batches; s++) {
        p.next();
        p.release();
      }
    }
    return (double) batches * batch / ((System.nanoTime() - t0) / 1e9);
  }
}
