package org.mammotriage.training.demo;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The step that yields a trained image encoder for the heads (pretraining, in the demo chain). */
public interface EncoderStep {

  /** A trained encoder with what rebuilds it and the input it expects. */
  record TrainedEncoder(
      Block encoder,
      String type,
      JsonNode config,
      int embeddingDim,
      int height,
      int width,
      double normMean,
      double normStd,
      String description) {}

  /**
   * @param manager owns the returned encoder's parameters
   * @param manifest the training manifest (train split used)
   * @param workDir scratch space for checkpoints
   */
  TrainedEncoder train(NDManager manager, Path manifest, Path workDir, Consumer<String> progress)
      throws IOException;
}
