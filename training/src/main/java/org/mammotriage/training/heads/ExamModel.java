package org.mammotriage.training.heads;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import org.mammotriage.training.data.ViewImageLoader;

/**
 * A trained exam model before export: the image encoder (with the description that rebuilds it),
 * the heads, and the model input (size and normalisation) they were trained with.
 *
 * @param encoderType key of the factory that rebuilds the encoder (see {@link ExamModelStore})
 * @param encoderConfig the factory's settings
 * @param intendedUse carried into {@code model.json}
 */
public record ExamModel(
    String name,
    String intendedUse,
    String encoderType,
    JsonNode encoderConfig,
    Block encoder,
    ExamHeads heads,
    int height,
    int width,
    double normMean,
    double normStd) {

  /** The full exam scorer graph (encoder + heads), sharing this model's parameters. */
  public ExamScorerBlock scorer() {
    return new ExamScorerBlock(encoder, heads, height, width);
  }

  public ViewImageLoader loader(org.mammotriage.ingest.preprocess.Preprocessor preprocessor) {
    return new ViewImageLoader(preprocessor, height, width, normMean, normStd);
  }
}
