package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mammotriage.training.heads.RiskHead;
import org.mammotriage.training.model.Init;
import org.mammotriage.training.model.MultiHeadAttention;
import org.mammotriage.training.model.TransformerBlock;

/**
 * The one {@link TransformerBlock} and {@link MultiHeadAttention}, exported alone and run in ONNX
 * Runtime against DJL, in each configuration training uses: the MV-MLM token head (MLP 4 × dim, no
 * mask), the text tower (4 × dim, key-padding mask) and the exam risk head (2 × dim, missing views
 * masked with {@link RiskHead#MASK_NEGATIVE}); and the attention as GLAM's cross-attention.
 */
class TransformerBlockExportParityTest {
  private static final double TOLERANCE = ModelExport.PARITY_TOLERANCE;
  private static final float TEXT_PAD = -1e4f;
  private static final float MISSING = -RiskHead.MASK_NEGATIVE;

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("token head", 16, 4, 0, 6, null),
        // the block's mask contract as the text tower uses it, (B, 1, 1, N)
        Arguments.of(
            "text tower",
            16,
            4,
            0,
            5,
            new float[] {0, 0, TEXT_PAD, 0, TEXT_PAD, 0, 0, 0, 0, TEXT_PAD}),
        // four view slots, present = 1 0 1 1 and 0 0 0 1: (present − 1) × MASK_NEGATIVE
        Arguments.of(
            "risk head",
            16,
            2,
            32,
            4,
            new float[] {0, MISSING, 0, 0, MISSING, MISSING, MISSING, 0}));
  }

  @ParameterizedTest(name = "{0}: dim {1}, {2} heads, mlp {3}")
  @MethodSource("configurations")
  void shouldMatchDjlForEachConfigurationTrainingUses(
      String use, int dim, int heads, int mlpDim, int tokens, float[] mask) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      // given a block with moved norm scales and offsets
      Engine.getInstance().setRandomSeed(21);
      TransformerBlock block =
          TransformerBlock.builder().setDim(dim).setHeads(heads).optMlpDim(mlpDim).build();
      Shape maskShape = new Shape(2, 1, 1, tokens);
      if (mask == null) {
        Init.initialize(block, m, new Shape(2, tokens, dim));
      } else {
        Init.initialize(block, m, new Shape(2, tokens, dim), maskShape);
      }
      PretrainedTowers.perturbOffsetsAndScales(block, m);
      assertThat(block.mlpDim()).isEqualTo(mlpDim == 0 ? 4 * dim : mlpDim);
      byte[] onnx =
          OnnxExporter.standard()
              .build(
                  "block",
                  "test",
                  ctx -> {
                    ctx.graph().input("x", -1, tokens, dim);
                    List<String> in = new ArrayList<>(List.of("x"));
                    if (mask != null) {
                      ctx.graph().input("mask", -1, 1, 1, tokens);
                      in.add("mask");
                    }
                    String y = ctx.export(block, in).get(0);
                    ctx.graph().bindOutput(y, "y", -1, tokens, dim);
                  })
              .toByteArray();
      NDList inputs = new NDList(m.randomNormal(new Shape(2, tokens, dim)));
      if (mask != null) {
        inputs.add(m.create(mask, maskShape));
      }

      // when
      double diff =
          ParityCheck.maxAbsDiff(
                  onnx,
                  block,
                  mask == null ? List.of("x") : List.of("x", "mask"),
                  List.of("y"),
                  inputs)
              .get("y");
      System.out.printf("parity TransformerBlock (%s): %s%n", use, diff);

      // then
      assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
    }
  }

  @Test
  void shouldMatchDjlForCrossAttentionWithADifferentKeySequence() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      // given GLAM's use: queries from one view, keys/values from the other, a (1, 1, Nq, Nk) mask
      Engine.getInstance().setRandomSeed(22);
      MultiHeadAttention attention = MultiHeadAttention.builder().setDim(16).setHeads(4).build();
      Init.initialize(
          attention, m, new Shape(2, 3, 16), new Shape(2, 5, 16), new Shape(1, 1, 3, 5));
      PretrainedTowers.perturbOffsetsAndScales(attention, m);
      byte[] onnx =
          OnnxExporter.standard()
              .build(
                  "attention",
                  "test",
                  ctx -> {
                    ctx.graph().input("q", -1, 3, 16);
                    ctx.graph().input("kv", -1, 5, 16);
                    ctx.graph().input("mask", 1, 1, 3, 5);
                    String y = ctx.export(attention, List.of("q", "kv", "mask")).get(0);
                    ctx.graph().bindOutput(y, "y", -1, 3, 16);
                  })
              .toByteArray();
      float n = -1e4f;
      NDArray mask =
          m.create(
              new float[] {0, n, 0, n, n, n, 0, n, 0, n, 0, 0, 0, 0, 0}, new Shape(1, 1, 3, 5));

      // when
      double diff =
          ParityCheck.maxAbsDiff(
                  onnx,
                  attention,
                  List.of("q", "kv", "mask"),
                  List.of("y"),
                  new NDList(
                      m.randomNormal(new Shape(2, 3, 16)),
                      m.randomNormal(new Shape(2, 5, 16)),
                      mask))
              .get("y");
      System.out.printf("parity MultiHeadAttention (cross): %s%n", diff);

      // then
      assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
    }
  }
}
