package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Word embedding as one-hot × table: ids (B, L) of type int64 → (B, L, d). With a report vocabulary
 * of a few hundred words the one-hot product is cheap and maps to plain ONNX ops.
 */
public final class TokenEmbedding extends AbstractBlock {
  private final int vocabularySize;
  private final int dim;
  private final Parameter table;

  public TokenEmbedding(int vocabularySize, int dim) {
    super((byte) 1);
    if (vocabularySize < 1 || dim < 1) {
      throw new IllegalArgumentException("TokenEmbedding needs vocabulary and dim > 0");
    }
    this.vocabularySize = vocabularySize;
    this.dim = dim;
    table =
        addParameter(
            Parameter.builder()
                .setName("table")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabularySize, dim))
                .build());
  }

  public int vocabularySize() {
    return vocabularySize;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray ids = inputs.singletonOrThrow();
    NDArray w = ps.getValue(table, ids.getDevice(), training);
    NDArray oneHot = ids.toType(DataType.INT64, false).oneHot(vocabularySize);
    return new NDList(oneHot.matMul(w));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {new Shape(in[0].get(0), in[0].get(1), dim)};
  }
}
