package org.mammotriage.training.model;

import java.util.Locale;

/**
 * The image backbone of a {@link ModelConfig} other than the ResNet (a config without one is a
 * ResNet of {@code resnetDepth} and {@code width}, as every model folder written before this
 * existed).
 *
 * @param type {@value #EFFICIENTNET} or {@value #VIT}
 * @param depthMultiplier EfficientNet: block-count multiplier of the B0 layout (stem channels are
 *     the config's {@code width}, B0 has 32)
 * @param patchSize ViT: patch size p
 * @param dim ViT: token width D
 * @param layers ViT: transformer blocks (heads are the config's {@code heads})
 * @param pooling ViT: {@code cls} or {@code mean}
 */
public record BackboneConfig(
    String type, double depthMultiplier, int patchSize, int dim, int layers, String pooling) {
  public static final String RESNET = "resnet";
  public static final String EFFICIENTNET = "efficientnet";
  public static final String VIT = "vit";

  public BackboneConfig {
    if (EFFICIENTNET.equals(type)) {
      if (!(depthMultiplier > 0)) {
        throw new IllegalArgumentException(
            "EfficientNet depth multiplier must be > 0, got " + depthMultiplier);
      }
    } else if (VIT.equals(type)) {
      if (patchSize < 1 || dim < 1 || layers < 0) {
        throw new IllegalArgumentException(
            "ViT needs patch size >= 1, dim >= 1 and layers >= 0, got "
                + patchSize
                + "/"
                + dim
                + "/"
                + layers);
      }
      VitEncoder.Pooling.valueOf(pooling == null ? "CLS" : pooling.toUpperCase(Locale.ROOT));
    } else {
      throw new IllegalArgumentException(
          "backbone must be " + EFFICIENTNET + " or " + VIT + " (no config = resnet), got " + type);
    }
  }

  public static BackboneConfig efficientNet(double depthMultiplier) {
    return new BackboneConfig(EFFICIENTNET, depthMultiplier, 0, 0, 0, null);
  }

  public static BackboneConfig vit(int patchSize, int dim, int layers, VitEncoder.Pooling pooling) {
    return new BackboneConfig(
        VIT, 0, patchSize, dim, layers, pooling.name().toLowerCase(Locale.ROOT));
  }

  /** The ViT pooling (CLS when not given). */
  public VitEncoder.Pooling vitPooling() {
    return pooling == null
        ? VitEncoder.Pooling.CLS
        : VitEncoder.Pooling.valueOf(pooling.toUpperCase(Locale.ROOT));
  }
}
