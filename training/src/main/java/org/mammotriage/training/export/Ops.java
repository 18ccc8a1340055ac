package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import java.util.List;

/** Composite ONNX expressions used by several mappers (opset 17 has no Gelu or SiLU). */
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

  /** SiLU, x · sigmoid(x). */
  public static String silu(OnnxGraph g, String x) {
    return mul(g, x, g.node("Sigmoid", List.of(x)));
  }

  /** x[start:end] along {@code axis} (end {@link Long#MAX_VALUE} = to the end). */
  public static String slice(OnnxGraph g, String x, long axis, long start, long end) {
    return g.node(
        "Slice",
        List.of(x, g.int64s("starts", start), g.int64s("ends", end), g.int64s("axes", axis)));
  }

  /** The entry {@code index} of {@code axis}, that axis dropped. */
  public static String gather(OnnxGraph g, String x, long axis, long index) {
    return g.node("Gather", List.of(x, g.int64Scalar("index", index)), Attr.i("axis", axis));
  }

  /** Concatenation along {@code axis}. */
  public static String concat(OnnxGraph g, long axis, String... parts) {
    return g.node("Concat", List.of(parts), Attr.i("axis", axis));
  }

  /** The runtime shape of x as an int64 1-D tensor. */
  public static String shape(OnnxGraph g, String x) {
    return g.node("Shape", List.of(x));
  }

  /**
   * Zero padding of an NCHW tensor at the bottom and right by the int64 tensor {@code padHw} =
   * [rows, columns] (computed in the graph or constant).
   */
  public static String padBottomRight(OnnxGraph g, String x, String padHw) {
    String pads = concat(g, 0, g.int64s("pads_begin", 0, 0, 0, 0, 0, 0), padHw);
    return g.node("Pad", List.of(x, pads, g.scalar("pad_value", 0f)), Attr.s("mode", "constant"));
  }

  /**
   * Bilinear resize of an NCHW tensor to the int64 tensor {@code sizes} = [N, C, H, W], as
   * PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}: half-pixel centres, source
   * coordinates clamped to the edge. ONNX's {@code half_pixel}, not {@code pytorch_half_pixel}: for
   * an output length 1 PyTorch samples the centre, as {@code half_pixel} does.
   */
  public static String resizeBilinear(OnnxGraph g, String x, String sizes) {
    return g.node(
        "Resize",
        List.of(x, "", "", sizes),
        Attr.s("mode", "linear"),
        Attr.s("coordinate_transformation_mode", "half_pixel"));
  }
}
