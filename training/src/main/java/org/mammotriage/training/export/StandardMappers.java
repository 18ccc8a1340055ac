package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/** ONNX mappings of DJL's standard layers (inference mode). */
final class StandardMappers {

  private StandardMappers() {}

  static void registerInto(OnnxExporter e) {
    e.register(SequentialBlock.class, StandardMappers::sequential);
    e.register(Conv2d.class, StandardMappers::conv2d);
    e.register(BatchNorm.class, StandardMappers::batchNorm);
    e.register(Linear.class, StandardMappers::linear);
    e.register(LayerNorm.class, StandardMappers::layerNorm);
    e.registerLambda("ReLU", unary("Relu"));
    e.registerLambda("sigmoid", unary("Sigmoid"));
    e.registerLambda("Tanh", unary("Tanh"));
    e.registerLambda("softPlus", unary("Softplus"));
    e.registerLambda("identity", unary("Identity"));
    e.registerLambda("GELU", (b, in, ctx) -> List.of(Ops.gelu(ctx.graph(), in.get(0))));
    e.registerLambda(
        "batchFlatten",
        (b, in, ctx) -> List.of(ctx.graph().node("Flatten", in, Attr.i("axis", 1))));
    e.registerLambda("globalAvgPool2d", globalPool("GlobalAveragePool"));
    e.registerLambda("globalMaxPool2d", globalPool("GlobalMaxPool"));
    ModelMappers.registerInto(e);
    EncoderMappers.registerInto(e);
    BackboneMappers.registerInto(e);
  }

  private static BlockMapper<LambdaBlock> unary(String op) {
    return (b, in, ctx) -> List.of(ctx.graph().node(op, in));
  }

  // DJL's global pools return [N, C]; ONNX's keep [N, C, 1, 1].
  private static BlockMapper<LambdaBlock> globalPool(String op) {
    return (b, in, ctx) -> {
      String pooled = ctx.graph().node(op, in);
      return List.of(ctx.graph().node("Flatten", List.of(pooled), Attr.i("axis", 1)));
    };
  }

  private static List<String> sequential(
      SequentialBlock block, List<String> inputs, ExportContext ctx) {
    List<String> current = inputs;
    for (Block child : block.getChildren().values()) {
      current = ctx.export(child, current);
    }
    return current;
  }

  private static List<String> conv2d(Conv2d conv, List<String> in, ExportContext ctx) {
    Shape k = conv.getKernelShape();
    Shape s = conv.getStride();
    Shape p = conv.getPadding();
    Shape d = conv.getDilation();
    List<String> inputs =
        new ArrayList<>(List.of(in.get(0), ctx.constant(conv.getParameters().get("weight"))));
    if (conv.isIncludeBias()) {
      inputs.add(ctx.constant(conv.getParameters().get("bias")));
    }
    return List.of(
        ctx.graph()
            .node(
                "Conv",
                inputs,
                Attr.ints("kernel_shape", k.getShape()),
                Attr.ints("strides", s.getShape()),
                Attr.ints("pads", p.get(0), p.get(1), p.get(0), p.get(1)),
                Attr.ints("dilations", d.getShape()),
                Attr.i("group", conv.getGroups())));
  }

  private static List<String> batchNorm(BatchNorm bn, List<String> in, ExportContext ctx) {
    int axis = (Integer) field(bn, "axis");
    if (axis != 1) {
      throw new UnsupportedBlockException(
          BatchNorm.class.getName() + " with axis " + axis + " (only channel axis 1)");
    }
    float eps = (Float) field(bn, "epsilon");
    var params = bn.getParameters();
    return List.of(
        ctx.graph()
            .node(
                "BatchNormalization",
                List.of(
                    in.get(0),
                    ctx.constant(params.get("gamma")),
                    ctx.constant(params.get("beta")),
                    ctx.constant(params.get("runningMean")),
                    ctx.constant(params.get("runningVar"))),
                Attr.f("epsilon", eps)));
  }

  // MatMul broadcasts over leading axes, so [N, C] and [N, T, C] inputs both work (DJL's Linear
  // does the same).
  private static List<String> linear(Linear linear, List<String> in, ExportContext ctx) {
    var params = linear.getParameters();
    var w = params.get("weight").getArray();
    String wt = ctx.constant("linear_wt", w.transpose());
    String y = ctx.graph().node("MatMul", List.of(in.get(0), wt));
    var bias = params.get("bias");
    if (bias != null && bias.getArray() != null) {
      y = ctx.graph().node("Add", List.of(y, ctx.constant(bias)));
    }
    return List.of(y);
  }

  // PyTorch's layer_norm (DJL's engine) normalises over the trailing normalizedShape axes.
  private static List<String> layerNorm(LayerNorm ln, List<String> in, ExportContext ctx) {
    Shape normalized = (Shape) field(ln, "normalizedShape");
    float eps = (Float) field(ln, "epsilon");
    var params = ln.getParameters();
    List<String> inputs = new ArrayList<>(List.of(in.get(0)));
    long size = normalized.size();
    inputs.add(
        params.get("gamma") != null && params.get("gamma").getArray() != null
            ? ctx.constant(params.get("gamma"))
            : ctx.graph().constant("ones", ones(size), normalized.getShape()));
    if (params.get("beta") != null && params.get("beta").getArray() != null) {
      inputs.add(ctx.constant(params.get("beta")));
    }
    return List.of(
        ctx.graph()
            .node(
                "LayerNormalization",
                inputs,
                Attr.i("axis", -normalized.dimension()),
                Attr.f("epsilon", eps)));
  }

  private static float[] ones(long n) {
    float[] f = new float[(int) n];
    java.util.Arrays.fill(f, 1f);
    return f;
  }

  static Object field(Object target, String name) {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(
            "cannot read " + name + " of " + target.getClass().getName(), e);
      }
    }
    throw new IllegalStateException("no field " + name + " in " + target.getClass().getName());
  }
}
