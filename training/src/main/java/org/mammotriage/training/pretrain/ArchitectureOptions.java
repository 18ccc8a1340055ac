package org.mammotriage.training.pretrain;

import org.mammotriage.training.model.ModelConfig;
import picocli.CommandLine.Option;

/** Architecture flags shared by the pretraining commands (defaults sized for a 2-core CPU). */
public final class ArchitectureOptions {
  @Option(
      names = "--height",
      defaultValue = "256",
      description =
          "Model input height (default ${DEFAULT-VALUE}); the working image stays 1520x912.")
  int height;

  @Option(
      names = "--width",
      defaultValue = "160",
      description = "Model input width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--resnet-depth",
      defaultValue = "10",
      description = "10, 18 or 34 (default ${DEFAULT-VALUE}).")
  int depth;

  @Option(
      names = "--resnet-width",
      defaultValue = "16",
      description = "First-stage CNN channels (default ${DEFAULT-VALUE}; ResNet uses 64).")
  int resnetWidth;

  @Option(
      names = "--token-layers",
      defaultValue = "1",
      description =
          "MV-MLM token transformer blocks after the CNN; 0 = global average pooling (default ${DEFAULT-VALUE}).")
  int tokenLayers;

  @Option(
      names = "--embedding-dim",
      defaultValue = "64",
      description = "Shared image/text embedding size (default ${DEFAULT-VALUE}).")
  int embeddingDim;

  @Option(
      names = "--text-dim",
      defaultValue = "64",
      description = "Text transformer width (default ${DEFAULT-VALUE}).")
  int textDim;

  @Option(
      names = "--text-layers",
      defaultValue = "2",
      description = "Text transformer blocks (default ${DEFAULT-VALUE}).")
  int textLayers;

  @Option(
      names = "--heads",
      defaultValue = "4",
      description = "Attention heads (default ${DEFAULT-VALUE}).")
  int heads;

  @Option(
      names = "--glam-grid",
      defaultValue = "4",
      description = "GLAM super-patches per side (default ${DEFAULT-VALUE}).")
  int glamGrid;

  @Option(
      names = "--norm-mean",
      defaultValue = "0.2",
      description = "Pixel normalisation mean of x/255 (default ${DEFAULT-VALUE}).")
  float mean;

  @Option(
      names = "--norm-std",
      defaultValue = "0.25",
      description = "Pixel normalisation std of x/255 (default ${DEFAULT-VALUE}).")
  float std;

  /** The configuration; text length and vocabulary are filled in from the corpus. */
  public ModelConfig config() {
    int tokenDim = Math.max(heads, embeddingDim);
    return new ModelConfig(
        height,
        width,
        depth,
        resnetWidth,
        tokenLayers,
        tokenDim,
        embeddingDim,
        textDim,
        textLayers,
        heads,
        0,
        0,
        glamGrid,
        embeddingDim,
        mean,
        std);
  }
}
