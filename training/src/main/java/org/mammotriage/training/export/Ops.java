package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import java.util.List;

/** Composite ONNX expressions used by several mappers (opset 17 has no Gelu). */
public final class Ops {
  private Ops() {}

  /** Exact GELU, as PyTorch's default: 0.5 x (1 + erf(x / sqrt 2)). */
  public static String gelu(OnnxGraph g, String x) {
    String scaled = g.node("Mul", List.of(x, g.scalar("inv_sqrt2", (float) (1 / Math.sqrt(2)))));
    String erf = g.node("Erf", List.of(scaled));
    String onePlus = g.node("Add", List.of(erf, g.scalar("one", 1f)));
    String half = g.node("Mul", List.of(x, g.scalar("half", 0.5f)));
    return g.node("Mul", List.of(half, onePlus));
  }

  /** Reshape to a constant target shape (0 copies an input dim, -1 infers one). */
  public static String reshape(OnnxGraph g, String x, long... shape) {
    return g.node("Reshape", List.of(x, g.int64s("shape", shape)));
  }

  public static String transpose(OnnxGraph g, String x, long... perm) {
    return g.node("Transpose", List.of(x), Attr.ints("perm", perm));
  }

  public static String reduceSum(OnnxGraph g, String x, boolean keepDims, long... axes) {
    return g.node(
        "ReduceSum", List.of(x, g.int64s("axes", axes)), Attr.i("keepdims", keepDims ? 1 : 0));
  }

  public static String unsqueeze(OnnxGraph g, String x, long... axes) {
    return g.node("Unsqueeze", List.of(x, g.int64s("axes", axes)));
  }

  public static String mul(OnnxGraph g, String a, String b) {
    return g.node("Mul", List.of(a, b));
  }

  public static String add(OnnxGraph g, String a, String b) {
    return g.node("Add", List.of(a, b));
  }
}
