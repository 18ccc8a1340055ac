package org.mammotriage.training.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Pretrains the image encoder with Training I's pretraining (CLIP, MV-CLIP or GLAM). */
public final class PretrainEncoderStep implements EncoderStep {
  private final String method;
  private final int height;
  private final int width;
  private final int resnetWidth;
  private final int steps;
  private final long seed;

  private PretrainEncoderStep(
      String method, int height, int width, int resnetWidth, int steps, long seed) {
    this.method = method;
    this.height = height;
    this.width = width;
    this.resnetWidth = resnetWidth;
    this.steps = steps;
    this.seed = seed;
  }

  public static PretrainEncoderStep of(
      String method, int height, int width, int resnetWidth, int steps, long seed) {
    return new PretrainEncoderStep(method, height, width, resnetWidth, steps, seed);
  }

  @Override
  public TrainedEncoder train(
      NDManager manager, Path manifest, Path workDir, Consumer<String> progress)
      throws IOException {
    throw new IOException(
        "pretraining (issue 7, org.mammotriage.training.pretrain) is not in this build yet; "
            + method
            + " "
            + height
            + "x"
            + width
            + " width "
            + resnetWidth
            + " steps "
            + steps
            + " seed "
            + seed);
  }
}
