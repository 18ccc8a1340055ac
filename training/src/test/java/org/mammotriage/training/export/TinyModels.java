package org.mammotriage.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.util.Pair;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamHeads;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.heads.HeadsConfig;

/** Tiny, randomly initialised models for export tests (seconds on CPU). */
public final class TinyModels {
  public static final int H = 32;
  public static final int W = 24;
  public static final int D = 16;

  private TinyModels() {}

  /** A small CNN from DJL's standard layers: conv-BN-ReLU ×2, global pools, linear. */
  public static Block encoder() {
    return new SequentialBlock()
        .add(
            Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(8)
                .build())
        .add(BatchNorm.builder().build())
        .add(Activation.reluBlock())
        .add(
            Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optStride(new Shape(2, 2))
                .optPadding(new Shape(1, 1))
                .setFilters(16)
                .optBias(false)
                .build())
        .add(BatchNorm.builder().build())
        .add(Activation.geluBlock())
        .add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(D).build())
        .add(Activation.tanhBlock());
  }

  public static ExamScorerBlock scorer(NDManager manager, BreastAggregation aggregation) {
    HeadsConfig cfg = new HeadsConfig(D, 16, 2, 4, 5, aggregation);
    ExamScorerBlock s = new ExamScorerBlock(encoder(), new ExamHeads(cfg), H, W);
    s.initialize(manager, DataType.FLOAT32, new Shape(2, 4, 1, H, W), new Shape(2, 4));
    randomiseBatchNormStatistics(s, manager);
    return s;
  }

  /**
   * Fresh BatchNorm statistics are 0/1, which would hide a wrong mapping; give them other values.
   */
  public static void randomiseBatchNormStatistics(Block block, NDManager manager) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      if (p.getKey().endsWith("runningMean")) {
        a.set(manager.randomNormal(0, 0.3f, a.getShape(), DataType.FLOAT32).toFloatArray());
      } else if (p.getKey().endsWith("runningVar")) {
        a.set(manager.randomUniform(0.5f, 2f, a.getShape(), DataType.FLOAT32).toFloatArray());
      } else if (p.getKey().endsWith("gamma") || p.getKey().endsWith("beta")) {
        a.set(
            manager
                .randomNormal(
                    p.getKey().endsWith("gamma") ? 1f : 0f, 0.2f, a.getShape(), DataType.FLOAT32)
                .toFloatArray());
      }
    }
  }

  static Block flattenedEncoder() {
    return new SequentialBlock().add(Pool.globalMaxPool2dBlock()).add(Blocks.batchFlattenBlock());
  }
}
