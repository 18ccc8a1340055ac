package org.mammotriage.training.pretrain;

import java.util.Locale;
import org.mammotriage.training.model.BackboneConfig;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.VitEncoder;
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
      names = "--backbone",
      defaultValue = "resnet",
      description =
          "Image backbone: resnet, efficientnet (MBConv + squeeze-excitation, B0 layout scaled) or"
              + " vit (patch embedding, CLS token, pre-norm blocks) (default ${DEFAULT-VALUE}).")
  String backbone;

  @Option(
      names = "--efficientnet-depth",
      defaultValue = "0.25",
      description =
          "EfficientNet block-count multiplier of the B0 layout; its stem has --resnet-width"
              + " channels (B0: 32) (default ${DEFAULT-VALUE}).")
  double efficientNetDepth;

  @Option(
      names = "--vit-patch",
      defaultValue = "16",
      description = "ViT patch size (default ${DEFAULT-VALUE}).")
  int vitPatch;

  @Option(
      names = "--vit-dim",
      defaultValue = "64",
      description = "ViT token width, divisible by --heads (default ${DEFAULT-VALUE}).")
  int vitDim;

  @Option(
      names = "--vit-layers",
      defaultValue = "4",
      description = "ViT transformer blocks (default ${DEFAULT-VALUE}).")
  int vitLayers;

  @Option(
      names = "--vit-pooling",
      defaultValue = "cls",
      description =
          "ViT image representation: cls or mean of the patch tokens (default ${DEFAULT-VALUE}).")
  String vitPooling;

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
      description =
          "MV-MLM token transformer blocks after the CNN; 0 = global average pooling (default 1;"
              + " 0 with --backbone vit, which pools by its CLS token).")
  Integer tokenLayers;

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
    BackboneConfig b = backboneConfig();
    boolean vit = b != null && b.type().equals(BackboneConfig.VIT);
    return new ModelConfig(
        height,
        width,
        depth,
        resnetWidth,
        tokenLayers != null ? tokenLayers : vit ? 0 : 1,
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
        std,
        b);
  }

  private BackboneConfig backboneConfig() {
    return switch (backbone.toLowerCase(Locale.ROOT)) {
      case BackboneConfig.RESNET -> null;
      case BackboneConfig.EFFICIENTNET -> BackboneConfig.efficientNet(efficientNetDepth);
      case BackboneConfig.VIT ->
          BackboneConfig.vit(vitPatch, vitDim, vitLayers, vitPooling(vitPooling));
      default ->
          throw new IllegalArgumentException(
              "--backbone must be resnet, efficientnet or vit, got '" + backbone + "'");
    };
  }

  private static VitEncoder.Pooling vitPooling(String p) {
    try {
      return VitEncoder.Pooling.valueOf(p.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--vit-pooling must be cls or mean, got '" + p + "'", e);
    }
  }
}
