package org.mammotriage.training.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * Architecture and input settings of a pretrained model, saved as JSON beside its parameters so a
 * model folder can be rebuilt exactly.
 *
 * @param inputHeight model input height (the working image is resized to it)
 * @param inputWidth model input width
 * @param resnetDepth 10, 18 or 34 (ResNet backbone)
 * @param width first-stage channels of the CNN (ResNet: first stage; EfficientNet: stem, 32 in B0)
 * @param tokenLayers MV-MLM token transformer blocks after the CNN; 0 = global average pooling
 * @param tokenDim token width of that transformer
 * @param embeddingDim shared image/text embedding size
 * @param textDim text transformer width
 * @param textLayers text transformer blocks
 * @param heads attention heads (image tokens, text, GLAM cross-attention)
 * @param textMaxLength maximum report length in tokens
 * @param vocabularySize size of the saved vocabulary
 * @param glamGrid √M, super-patches per side (GLAM only)
 * @param glamDim super-patch width (GLAM only)
 * @param normMean pixel normalisation: (x/255 − mean) / std
 * @param normStd see normMean
 * @param backbone the image backbone when it is not the ResNet; null (and absent from the JSON) for
 *     the ResNet, so ResNet configs read and write as before
 */
public record ModelConfig(
    int inputHeight,
    int inputWidth,
    int resnetDepth,
    int width,
    int tokenLayers,
    int tokenDim,
    int embeddingDim,
    int textDim,
    int textLayers,
    int heads,
    int textMaxLength,
    int vocabularySize,
    int glamGrid,
    int glamDim,
    float normMean,
    float normStd,
    @JsonInclude(JsonInclude.Include.NON_NULL) BackboneConfig backbone) {

  public ModelConfig {
    if (inputHeight < 32 || inputWidth < 32) {
      throw new IllegalArgumentException(
          "input must be at least 32x32, got " + inputHeight + "x" + inputWidth);
    }
    if (normStd <= 0) {
      throw new IllegalArgumentException("normStd must be > 0");
    }
    if (backbone != null && backbone.type().equals(BackboneConfig.VIT)) {
      if (backbone.dim() % heads != 0) {
        throw new IllegalArgumentException(
            "ViT dim " + backbone.dim() + " is not divisible by " + heads + " heads");
      }
      if (tokenLayers > 0) {
        throw new IllegalArgumentException(
            "the ViT pools by its CLS token: token layers must be 0, got " + tokenLayers);
      }
    }
  }

  /** A ResNet config (no {@code backbone}). */
  public ModelConfig(
      int inputHeight,
      int inputWidth,
      int resnetDepth,
      int width,
      int tokenLayers,
      int tokenDim,
      int embeddingDim,
      int textDim,
      int textLayers,
      int heads,
      int textMaxLength,
      int vocabularySize,
      int glamGrid,
      int glamDim,
      float normMean,
      float normStd) {
    this(
        inputHeight,
        inputWidth,
        resnetDepth,
        width,
        tokenLayers,
        tokenDim,
        embeddingDim,
        textDim,
        textLayers,
        heads,
        textMaxLength,
        vocabularySize,
        glamGrid,
        glamDim,
        normMean,
        normStd,
        null);
  }

  /**
   * {@value BackboneConfig#RESNET}, {@value BackboneConfig#EFFICIENTNET} or {@value
   * BackboneConfig#VIT}.
   */
  @JsonIgnore
  public String backboneType() {
    return backbone == null ? BackboneConfig.RESNET : backbone.type();
  }

  /** A copy with another number of MV-MLM token layers. */
  public ModelConfig withTokenLayers(int layers) {
    return new ModelConfig(
        inputHeight,
        inputWidth,
        resnetDepth,
        width,
        layers,
        tokenDim,
        embeddingDim,
        textDim,
        textLayers,
        heads,
        textMaxLength,
        vocabularySize,
        glamGrid,
        glamDim,
        normMean,
        normStd,
        backbone);
  }

  /** A copy with another backbone (null = the ResNet). */
  public ModelConfig withBackbone(BackboneConfig b) {
    return new ModelConfig(
        inputHeight,
        inputWidth,
        resnetDepth,
        width,
        tokenLayers,
        tokenDim,
        embeddingDim,
        textDim,
        textLayers,
        heads,
        textMaxLength,
        vocabularySize,
        glamGrid,
        glamDim,
        normMean,
        normStd,
        b);
  }

  /**
   * The backbone in words, e.g. {@code ResNet-10 (width 16}, {@code EfficientNet (stem 16, depth
   * x0.25}, {@code ViT/16 (dim 64, 4 layers} — without the closing parenthesis, so callers can add
   * to it.
   */
  public String describeBackbone() {
    return switch (backboneType()) {
      case BackboneConfig.EFFICIENTNET ->
          String.format(
              Locale.ROOT,
              "EfficientNet (stem %d, depth x%s",
              width,
              Double.toString(backbone.depthMultiplier()));
      case BackboneConfig.VIT ->
          String.format(
              Locale.ROOT,
              "ViT/%d (dim %d, %d layers, %s pooling",
              backbone.patchSize(),
              backbone.dim(),
              backbone.layers(),
              backbone.vitPooling().name());
      default -> String.format(Locale.ROOT, "ResNet-%d (width %d", resnetDepth, width);
    };
  }

  /** The tiny settings the unit tests train with (64×40 images, width 8). */
  public static ModelConfig tiny(int vocabularySize) {
    return new ModelConfig(
        64, 40, 10, 8, 1, 16, 16, 16, 1, 2, 96, vocabularySize, 2, 16, 0.2f, 0.25f);
  }

  /** A copy with another vocabulary size (known only after the corpus is read). */
  public ModelConfig withVocabularySize(int v) {
    return new ModelConfig(
        inputHeight,
        inputWidth,
        resnetDepth,
        width,
        tokenLayers,
        tokenDim,
        embeddingDim,
        textDim,
        textLayers,
        heads,
        textMaxLength,
        v,
        glamGrid,
        glamDim,
        normMean,
        normStd,
        backbone);
  }

  /** Builds the image backbone. */
  public ImageBackbone backboneBlock() {
    return switch (backboneType()) {
      case BackboneConfig.EFFICIENTNET ->
          EfficientNetEncoder.builder()
              .optWidthMultiplier(width / 32.0)
              .optDepthMultiplier(backbone.depthMultiplier())
              .build();
      case BackboneConfig.VIT ->
          VitEncoder.builder()
              .setImageSize(inputHeight, inputWidth)
              .setPatchSize(backbone.patchSize())
              .setDim(backbone.dim())
              .setLayers(backbone.layers())
              .setHeads(heads)
              .optPooling(backbone.vitPooling())
              .build();
      default -> ResNetEncoder.builder().setDepth(resnetDepth).optWidth(width).build();
    };
  }

  /** Builds the image tower. */
  public ImageTower imageTower() {
    ImageTower.Builder b =
        ImageTower.builder().setEncoder(backboneBlock()).setEmbeddingDim(embeddingDim);
    if (tokenLayers > 0) {
      b.optTokenHead(
          TokenTransformerHead.builder()
              .setDim(tokenDim)
              .setHeads(heads)
              .setLayers(tokenLayers)
              .build());
    }
    return b.build();
  }

  /** Builds the text tower. */
  public TextTower textTower() {
    return TextTower.builder()
        .setVocabularySize(vocabularySize)
        .setMaxLength(textMaxLength)
        .setDim(textDim)
        .setLayers(textLayers)
        .setHeads(heads)
        .setEmbeddingDim(embeddingDim)
        .build();
  }

  /** Builds GLAM's local head. */
  public GlamLocalHead glamHead() {
    return GlamLocalHead.builder().setGrid(glamGrid).setDim(glamDim).setHeads(heads).build();
  }
}
