package org.mammotriage.training.model;

/**
 * Architecture and input settings of a pretrained model, saved as JSON beside its parameters so a
 * model folder can be rebuilt exactly.
 *
 * @param inputHeight model input height (the working image is resized to it)
 * @param inputWidth model input width
 * @param resnetDepth 10, 18 or 34
 * @param width first-stage channels of the CNN
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
    float normStd) {

  public ModelConfig {
    if (inputHeight < 32 || inputWidth < 32) {
      throw new IllegalArgumentException(
          "input must be at least 32x32, got " + inputHeight + "x" + inputWidth);
    }
    if (normStd <= 0) {
      throw new IllegalArgumentException("normStd must be > 0");
    }
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
        normStd);
  }

  /** Builds the image tower. */
  public ImageTower imageTower() {
    ImageTower.Builder b =
        ImageTower.builder()
            .setEncoder(ResNetEncoder.builder().setDepth(resnetDepth).optWidth(width).build())
            .setEmbeddingDim(embeddingDim);
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
