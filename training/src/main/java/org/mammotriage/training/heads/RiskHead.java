package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.training.model.TransformerBlock;

/**
 * Exam-level risk: the four view embeddings [B, 4, D] (slot order L-CC, L-MLO, R-CC, R-MLO) are
 * projected, given a side and a view embedding, mixed by {@link TransformerBlock}s across views
 * (MLP width 2 × dim; missing views masked out of attention and pooling), mean-pooled over present
 * views, and turned into cumulative logits for years 1..N by the {@link AdditiveHazard} layer.
 * Inputs: embeddings [B, 4, D], present [B, 4]; output logits [B, years].
 */
public final class RiskHead extends AbstractBlock {
  /** Added to attention scores of missing views; large enough that softmax gives them ~0 weight. */
  public static final float MASK_NEGATIVE = 1e4f;

  /** Which side (row 0 = left, 1 = right) and view (0 = CC, 1 = MLO) each slot has. */
  static final float[] SIDE_OF_SLOT = {1, 0, 1, 0, 0, 1, 0, 1};

  static final float[] VIEW_OF_SLOT = {1, 0, 0, 1, 1, 0, 0, 1};

  private final int dim;
  private final Linear project;
  private final Parameter sideEmbedding;
  private final Parameter viewEmbedding;
  private final List<TransformerBlock> layers = new ArrayList<>();
  private final LayerNorm finalNorm;
  private final AdditiveHazard hazard;

  public RiskHead(int dim, int layerCount, int heads, int years) {
    super((byte) 1);
    this.dim = dim;
    project = addChildBlock("project", Linear.builder().setUnits(dim).build());
    sideEmbedding =
        addParameter(
            Parameter.builder()
                .setName("sideEmbedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(2, dim))
                .build());
    viewEmbedding =
        addParameter(
            Parameter.builder()
                .setName("viewEmbedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(2, dim))
                .build());
    for (int i = 0; i < layerCount; i++) {
      layers.add(
          addChildBlock(
              "layer" + i,
              TransformerBlock.builder().setDim(dim).setHeads(heads).optMlpDim(2 * dim).build()));
    }
    finalNorm = addChildBlock("finalNorm", LayerNorm.builder().axis(2).build());
    hazard = addChildBlock("hazard", new AdditiveHazard(years));
  }

  public Linear project() {
    return project;
  }

  public List<TransformerBlock> layers() {
    return List.copyOf(layers);
  }

  public LayerNorm finalNorm() {
    return finalNorm;
  }

  public AdditiveHazard hazard() {
    return hazard;
  }

  /** The combined side + view embedding of each slot, [4, d]. */
  public NDArray slotEmbedding(NDManager manager, ParameterStore ps, boolean training) {
    NDArray side = ps.getValue(sideEmbedding, manager.getDevice(), training);
    NDArray view = ps.getValue(viewEmbedding, manager.getDevice(), training);
    NDArray sideSel = manager.create(SIDE_OF_SLOT, new Shape(4, 2));
    NDArray viewSel = manager.create(VIEW_OF_SLOT, new Shape(4, 2));
    return sideSel.matMul(side).add(viewSel.matMul(view));
  }

  /** The same, from trained values, for the exporter (no parameter store). */
  public NDArray slotEmbedding(NDManager manager) {
    NDArray sideSel = manager.create(SIDE_OF_SLOT, new Shape(4, 2));
    NDArray viewSel = manager.create(VIEW_OF_SLOT, new Shape(4, 2));
    return sideSel.matMul(sideEmbedding.getArray()).add(viewSel.matMul(viewEmbedding.getArray()));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray embeddings = inputs.get(0);
    NDArray present = inputs.get(1);
    NDManager manager = embeddings.getManager();
    NDArray presentCol = present.expandDims(2);
    NDArray x =
        project
            .forward(ps, new NDList(embeddings), training)
            .singletonOrThrow()
            .add(slotEmbedding(manager, ps, training))
            .mul(presentCol);
    // additive key mask (B, 1, 1, 4): missing views receive no attention
    NDArray maskBias = present.sub(1f).mul(MASK_NEGATIVE).expandDims(1).expandDims(1);
    for (TransformerBlock layer : layers) {
      x = layer.forward(ps, new NDList(x, maskBias), training).singletonOrThrow();
    }
    x = finalNorm.forward(ps, new NDList(x), training).singletonOrThrow();
    NDArray pooled =
        x.mul(presentCol).sum(new int[] {1}).div(present.sum(new int[] {1}, true).maximum(1f));
    return hazard.forward(ps, new NDList(pooled), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), hazard.years())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape emb = inputShapes[0];
    Shape tokens = new Shape(emb.get(0), emb.get(1), dim);
    project.initialize(manager, dataType, emb);
    Shape mask = new Shape(emb.get(0), 1, 1, emb.get(1));
    for (TransformerBlock layer : layers) {
      layer.initialize(manager, dataType, tokens, mask);
    }
    finalNorm.initialize(manager, dataType, tokens);
    hazard.initialize(manager, dataType, new Shape(emb.get(0), dim));
  }
}
