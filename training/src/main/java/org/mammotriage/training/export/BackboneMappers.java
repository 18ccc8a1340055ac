package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import ai.djl.nn.Block;
import java.util.List;
import org.mammotriage.training.model.EfficientNetEncoder;
import org.mammotriage.training.model.MbConv;
import org.mammotriage.training.model.Silu;
import org.mammotriage.training.model.SqueezeExcitation;
import org.mammotriage.training.model.TransformerBlock;
import org.mammotriage.training.model.VitEncoder;

/**
 * ONNX mappings of the EfficientNet and ViT backbones (opset 17 ops only, the same arithmetic as
 * the DJL forward passes in inference mode). SiLU is Mul(x, Sigmoid(x)); the depthwise conv is a
 * Conv with {@code group} = channels (the standard Conv mapping); the ViT's padding to a multiple
 * of the patch size (Pad), its CLS prepend (Expand + Concat), its position embedding split (Slice)
 * and resize to the input's patch grid (Resize, bilinear, half-pixel) and the CLS read-out (Gather)
 * are computed from the input's runtime shape, so the graph is right for any input size, not only
 * the declared one.
 */
final class BackboneMappers {

  private BackboneMappers() {}

  static void registerInto(OnnxExporter e) {
    e.register(Silu.class, (b, in, ctx) -> List.of(Ops.silu(ctx.graph(), in.get(0))));
    e.register(SqueezeExcitation.class, BackboneMappers::squeezeExcitation);
    e.register(MbConv.class, BackboneMappers::mbConv);
    e.register(EfficientNetEncoder.class, (b, in, ctx) -> sequence(b.layers(), in, ctx));
    e.register(VitEncoder.class, BackboneMappers::vit);
  }

  private static List<String> sequence(List<Block> layers, List<String> in, ExportContext ctx) {
    List<String> x = in;
    for (Block layer : layers) {
      x = ctx.export(layer, x);
    }
    return x;
  }

  /** x · sigmoid(expand(SiLU(reduce(mean over H, W of x)))), the scale broadcast over H, W. */
  private static List<String> squeezeExcitation(
      SqueezeExcitation se, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String x = in.get(0);
    String pooled = g.node("GlobalAveragePool", List.of(x));
    String z = ctx.export1(se.expand(), ctx.export1(se.silu(), ctx.export1(se.reduce(), pooled)));
    return List.of(Ops.mul(g, x, g.node("Sigmoid", List.of(z))));
  }

  private static List<String> mbConv(MbConv m, List<String> in, ExportContext ctx) {
    List<String> y = sequence(m.layers(), in, ctx);
    return m.residual() ? List.of(Ops.add(ctx.graph(), y.get(0), in.get(0))) : y;
  }

  /**
   * image [B, 1, H, W] → feature map [B, D, h, w] (patch tokens after the final norm) and the
   * pooled vector [B, D], as {@link VitEncoder}'s forward pass.
   */
  private static List<String> vit(VitEncoder v, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    long d = v.dim();
    String p = g.int64s("patch", v.patchSize(), v.patchSize());
    String hw = Ops.slice(g, Ops.shape(g, in.get(0)), 0, 2, 4);
    String padHw =
        g.node("Mod", List.of(g.node("Sub", List.of(p, g.node("Mod", List.of(hw, p)))), p));
    String grid = ctx.export1(v.patchEmbedding(), Ops.padBottomRight(g, in.get(0), padHw));
    String gridShape = Ops.shape(g, grid);
    String tokens = Ops.transpose(g, Ops.reshape(g, grid, 0, 0, -1), 0, 2, 1);
    String pos = ctx.constant(v.position());
    // the patch part of the position embedding on its own grid, resized to the input's grid
    String posMap =
        Ops.transpose(
            g,
            Ops.reshape(
                g, Ops.slice(g, pos, 1, 1, Long.MAX_VALUE), 1, v.gridHeight(), v.gridWidth(), d),
            0,
            3,
            1,
            2);
    String sizes = Ops.concat(g, 0, g.int64s("lead", 1, d), Ops.slice(g, gridShape, 0, 2, 4));
    String resized = Ops.resizeBilinear(g, posMap, sizes);
    String posTokens = Ops.transpose(g, Ops.reshape(g, resized, 1, d, -1), 0, 2, 1);
    tokens = Ops.add(g, tokens, posTokens);
    String cls = Ops.add(g, ctx.constant(v.clsToken()), Ops.slice(g, pos, 1, 0, 1));
    String batchCls =
        g.node(
            "Expand",
            List.of(
                cls,
                Ops.concat(g, 0, Ops.slice(g, gridShape, 0, 0, 1), g.int64s("cls_shape", 1, d))));
    String x = Ops.concat(g, 1, batchCls, tokens);
    for (TransformerBlock b : v.blocks()) {
      x = ctx.export1(b, x);
    }
    x = ctx.export1(v.norm(), x);
    String patches = Ops.slice(g, x, 1, 1, Long.MAX_VALUE);
    String featureMap = g.node("Reshape", List.of(Ops.transpose(g, patches, 0, 2, 1), gridShape));
    String pooled =
        v.pooling() == VitEncoder.Pooling.CLS
            ? Ops.gather(g, x, 1, 0)
            : g.node("ReduceMean", List.of(patches), Attr.ints("axes", 1), Attr.i("keepdims", 0));
    return List.of(featureMap, pooled);
  }
}
