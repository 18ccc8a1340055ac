package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.mammotriage.training.model.VitEncoder;

/**
 * The ONNX ops the EfficientNet and ViT mappers are built from ({@link Ops}: Concat, Slice, Gather,
 * Pad, Resize, SiLU), each in a tiny hand-made graph run in ONNX Runtime on known values.
 */
class GraphOpsTest {

  @Test
  void shouldConcatAlongTheTokenAxisAsTheClsPrepend() throws Exception {
    // given [1, 1, 2] and [1, 2, 2]
    float[] cls = {9, 8};
    float[] tokens = {1, 2, 3, 4};

    // when
    float[] out =
        run(
            Map.of(
                "a",
                new OrtGraphRun.Tensor(cls, 1, 1, 2),
                "b",
                new OrtGraphRun.Tensor(tokens, 1, 2, 2)),
            (g, in) -> Ops.concat(g, 1, in.get(0), in.get(1)),
            List.of("a", "b"));

    // then
    assertThat(out).containsExactly(9, 8, 1, 2, 3, 4);
  }

  @Test
  void shouldSliceToTheEndAndGatherOneEntry() throws Exception {
    // given [1, 3, 2]: rows (0, 1), (2, 3), (4, 5)
    OrtGraphRun.Tensor x = new OrtGraphRun.Tensor(new float[] {0, 1, 2, 3, 4, 5}, 1, 3, 2);

    // then: x[:, 1:] and x[:, 0]
    assertThat(
            run(
                Map.of("x", x),
                (g, in) -> Ops.slice(g, in.get(0), 1, 1, Long.MAX_VALUE),
                List.of("x")))
        .containsExactly(2, 3, 4, 5);
    assertThat(run(Map.of("x", x), (g, in) -> Ops.slice(g, in.get(0), 1, 0, 1), List.of("x")))
        .containsExactly(0, 1);
    assertThat(run(Map.of("x", x), (g, in) -> Ops.gather(g, in.get(0), 1, 0), List.of("x")))
        .containsExactly(0, 1);
    assertThat(run(Map.of("x", x), (g, in) -> Ops.gather(g, in.get(0), 2, 1), List.of("x")))
        .containsExactly(1, 3, 5);
  }

  @Test
  void shouldPadBottomAndRightWithZerosToAMultipleOfThePatchSize() throws Exception {
    // given a 1x1x2x3 image and patch 2: one zero column on the right, no rows
    OrtGraphRun.Tensor x = new OrtGraphRun.Tensor(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);

    // when the pads are computed from the runtime shape, as the ViT mapper does
    float[] out =
        run(
            Map.of("x", x),
            (g, in) -> {
              String p = g.int64s("p", 2, 2);
              String hw = Ops.slice(g, Ops.shape(g, in.get(0)), 0, 2, 4);
              String pad =
                  g.node(
                      "Mod", List.of(g.node("Sub", List.of(p, g.node("Mod", List.of(hw, p)))), p));
              return Ops.padBottomRight(g, in.get(0), pad);
            },
            List.of("x"));

    // then
    assertThat(out).containsExactly(1, 2, 3, 0, 4, 5, 6, 0);
  }

  @Test
  void shouldResizeBilinearlyWithHalfPixelCentresUpAndDown() throws Exception {
    // given one row [0, 1] resized to 4 columns: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25
    // (clamped to 1)
    OrtGraphRun.Tensor row = new OrtGraphRun.Tensor(new float[] {0, 1}, 1, 1, 1, 2);
    float[] up = run(Map.of("x", row), (g, in) -> resize(g, in.get(0), 1, 4), List.of("x"));
    assertThat(up).containsExactly(new float[] {0f, 0.25f, 0.75f, 1f}, within(1e-6f));

    // and [0, 1, 2, 3, 4] to 2 columns (scale 2.5): sources 2.5·0.5 − 0.5 = 0.75, 2.5·1.5 − 0.5 =
    // 3.25
    OrtGraphRun.Tensor five = new OrtGraphRun.Tensor(new float[] {0, 1, 2, 3, 4}, 1, 1, 1, 5);
    float[] down = run(Map.of("x", five), (g, in) -> resize(g, in.get(0), 1, 2), List.of("x"));
    assertThat(down).containsExactly(new float[] {0.75f, 3.25f}, within(1e-6f));
  }

  @Test
  void shouldResizeAsTheVitResizesItsPositionEmbeddingInDjl() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] v = new float[2 * 8 * 5];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) Math.sin(i * 0.7);
      }
      for (long[] size : new long[][] {{9, 7}, {6, 4}, {8, 5}, {3, 1}}) {
        NDArray djl =
            VitEncoder.resizeBilinear(m.create(v, new Shape(1, 2, 8, 5)), size[0], size[1]);
        float[] ort =
            run(
                Map.of("x", new OrtGraphRun.Tensor(v, 1, 2, 8, 5)),
                (g, in) -> resize(g, in.get(0), size[0], size[1]),
                List.of("x"));
        assertThat(OrtGraphRun.maxAbsDiff(ort, djl.toFloatArray()))
            .as("8x5 -> %dx%d", size[0], size[1])
            .isLessThanOrEqualTo(1e-6);
      }
    }
  }

  @Test
  void shouldComputeSiluAsXTimesSigmoid() throws Exception {
    float[] out =
        run(
            Map.of("x", new OrtGraphRun.Tensor(new float[] {-2, 0, 3}, 3)),
            (g, in) -> Ops.silu(g, in.get(0)),
            List.of("x"));
    assertThat(out)
        .containsExactly(
            new float[] {(float) (-2 / (1 + Math.exp(2))), 0f, (float) (3 / (1 + Math.exp(-3)))},
            within(1e-6f));
  }

  private static String resize(OnnxGraph g, String x, long h, long w) {
    return Ops.resizeBilinear(
        g, x, Ops.concat(g, 0, Ops.slice(g, Ops.shape(g, x), 0, 0, 2), g.int64s("hw", h, w)));
  }

  /** A graph of the given inputs and one output "y" built by {@code body}, run once. */
  private static float[] run(
      Map<String, OrtGraphRun.Tensor> inputs,
      BiFunction<OnnxGraph, List<String>, String> body,
      List<String> names)
      throws Exception {
    byte[] model =
        OnnxExporter.standard()
            .build(
                "op",
                "test",
                ctx -> {
                  for (String n : names) {
                    ctx.graph().input(n, inputs.get(n).shape());
                  }
                  ctx.graph().nodeInto("Identity", List.of(body.apply(ctx.graph(), names)), "y");
                  ctx.graph().output("y");
                })
            .toByteArray();
    try (OrtGraphRun r = new OrtGraphRun(model)) {
      return r.run(inputs).get("y");
    }
  }
}
