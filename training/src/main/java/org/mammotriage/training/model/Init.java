package org.mammotriage.training.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/** Weight initialisation shared by training and tests: He-normal for weights (ReLU networks). */
public final class Init {
  private Init() {}

  /** He-normal (Xavier, gaussian, fan-in, magnitude 2). */
  public static Initializer weights() {
    return new XavierInitializer(
        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2);
  }

  /** Sets the weight initializer and initialises the block for the given input shapes. */
  public static <B extends Block> B initialize(B block, NDManager manager, Shape... inputShapes) {
    block.setInitializer(weights(), Parameter.Type.WEIGHT);
    block.initialize(manager, DataType.FLOAT32, inputShapes);
    return block;
  }
}
