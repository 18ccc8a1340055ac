package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The whole exam model as the stream runs it (DESIGN §5): views [N, 4, 1, H, W] and present [N, 4]
 * → malignancy [N, 2] (left, right probability) and risk [N, years] (cumulative probability,
 * monotone). The image encoder maps [M, 1, H, W] to L2-normalised embeddings [M, D]; missing views
 * are encoded (zeros) but masked out of both heads.
 */
public final class ExamScorerBlock extends AbstractBlock {
  private final Block encoder;
  private final ExamHeads heads;
  private final int height;
  private final int width;

  public ExamScorerBlock(Block encoder, ExamHeads heads, int height, int width) {
    super((byte) 1);
    this.encoder = addChildBlock("encoder", encoder);
    this.heads = addChildBlock("heads", heads);
    this.height = height;
    this.width = width;
  }

  public Block encoder() {
    return encoder;
  }

  public ExamHeads heads() {
    return heads;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray views = inputs.get(0);
    NDArray present = inputs.get(1);
    long n = views.getShape().get(0);
    NDArray flat = views.reshape(n * 4, 1, height, width);
    // an encoder may return more than the embedding (e.g. its feature map); the first output is it
    NDArray emb = encoder.forward(ps, new NDList(flat), training).head();
    NDArray embeddings = emb.reshape(n, 4, emb.getShape().get(1));
    NDList out = heads.forward(ps, new NDList(embeddings, present), training);
    NDArray malignancy =
        heads.config().aggregation().apply(Activation.sigmoid(out.get(0)), present);
    return new NDList(malignancy, Activation.sigmoid(out.get(1)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long n = inputShapes[0].get(0);
    return new Shape[] {new Shape(n, 2), new Shape(n, heads.config().years())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    encoder.initialize(manager, dataType, new Shape(n * 4, 1, height, width));
    int d = heads.config().embeddingDim();
    heads.initialize(manager, dataType, new Shape(n, 4, d), inputShapes[1]);
  }
}
