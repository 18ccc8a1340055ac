package org.mammotriage.training.export;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.mammotriage.training.model.BackboneConfig;
import org.mammotriage.training.model.ImageTower;
import org.mammotriage.training.model.Init;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.VitEncoder;

/**
 * Tiny EfficientNet and ViT image towers for the export tests, seeded, with their offsets and
 * scales perturbed and a few real training steps taken (so weights, BatchNorm running statistics,
 * the CLS token and the position embedding all moved away from their initial values).
 */
final class Backbones {
  static final int H = 64;
  static final int W = 40;
  static final int D = 16;

  private Backbones() {}

  /** EfficientNet: stem 8 channels (width ×0.25), one MBConv per B0 stage. */
  static ModelConfig efficientNet(int tokenLayers) {
    return base(tokenLayers).withBackbone(BackboneConfig.efficientNet(0.25));
  }

  /** ViT/8, dim 16, 2 blocks, 2 heads: a 64×40 input is an 8×5 patch grid. */
  static ModelConfig vit(VitEncoder.Pooling pooling) {
    return base(0).withBackbone(BackboneConfig.vit(8, 16, 2, pooling));
  }

  private static ModelConfig base(int tokenLayers) {
    return new ModelConfig(H, W, 10, 8, tokenLayers, 16, D, 16, 1, 2, 96, 20, 2, 16, 0.2f, 0.25f);
  }

  /**
   * The tower of {@code cfg}, parameters in {@code model}'s manager, after {@code steps} Adam steps
   * on a regression of its embedding to random targets (batches of 4, training mode).
   */
  static ImageTower trained(Model model, ModelConfig cfg, int seed, int steps) {
    ImageTower tower = initialised(model, cfg, seed);
    train(model, tower, steps);
    return tower;
  }

  /** The seeded tower, offsets and scales perturbed, not trained. */
  static ImageTower initialised(Model model, ModelConfig cfg, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    NDManager m = model.getNDManager();
    ImageTower tower = Init.initialize(cfg.imageTower(), m, new Shape(4, 1, H, W));
    PretrainedTowers.perturbOffsetsAndScales(tower, m);
    return tower;
  }

  /** Adam steps (lr 1e-2) regressing the embedding of random batches of 4 to random targets. */
  static void train(Model model, ImageTower tower, int steps) {
    NDManager m = model.getNDManager();
    model.setBlock(tower);
    DefaultTrainingConfig tc =
        new DefaultTrainingConfig(Loss.l2Loss())
            .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-2f)).build());
    try (Trainer trainer = model.newTrainer(tc)) {
      trainer.initialize(new Shape(4, 1, H, W));
      for (int s = 0; s < steps; s++) {
        try (NDManager batch = m.newSubManager();
            GradientCollector gc = trainer.newGradientCollector()) {
          NDArray x = batch.randomNormal(0.3f, 1.5f, new Shape(4, 1, H, W), DataType.FLOAT32);
          NDArray target = batch.randomNormal(new Shape(4, D));
          NDList out = trainer.forward(new NDList(x));
          NDArray loss = Loss.l2Loss().evaluate(new NDList(target), new NDList(out.get(0)));
          gc.backward(loss);
        }
        trainer.step();
      }
    }
  }
}
