package org.mammotriage.training.heads;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Both heads on the four view embeddings. Inputs: embeddings [B, 4, D], present [B, 4]. Outputs
 * (logits, so training uses stable BCE): view malignancy logits [B, 4] and cumulative risk logits
 * [B, years].
 */
public final class ExamHeads extends AbstractBlock {
  private final HeadsConfig config;
  private final MalignancyHead malignancy;
  private final RiskHead risk;

  public ExamHeads(HeadsConfig config) {
    super((byte) 1);
    this.config = config;
    malignancy = addChildBlock("malignancy", new MalignancyHead());
    risk =
        addChildBlock(
            "risk",
            new RiskHead(
                config.riskDim(), config.riskLayers(), config.riskHeads(), config.years()));
  }

  public HeadsConfig config() {
    return config;
  }

  public MalignancyHead malignancy() {
    return malignancy;
  }

  public RiskHead risk() {
    return risk;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList view = malignancy.forward(ps, new NDList(inputs.get(0)), training);
    NDList cumulative = risk.forward(ps, new NDList(inputs.get(0), inputs.get(1)), training);
    return new NDList(view.singletonOrThrow(), cumulative.singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    return new Shape[] {new Shape(b, 4), new Shape(b, config.years())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    malignancy.initialize(manager, dataType, inputShapes[0]);
    risk.initialize(manager, dataType, inputShapes[0], inputShapes[1]);
  }
}
