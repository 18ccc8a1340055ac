package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import java.util.ArrayList;
import java.util.List;
import org.mammotriage.training.model.Gelu;
import org.mammotriage.training.model.GlobalAvgPool;
import org.mammotriage.training.model.ImageTower;
import org.mammotriage.training.model.L2Normalize;
import org.mammotriage.training.model.MaxPool2d;
import org.mammotriage.training.model.MultiHeadAttention;
import org.mammotriage.training.model.Relu;
import org.mammotriage.training.model.ResNetEncoder;
import org.mammotriage.training.model.ResidualUnit;
import org.mammotriage.training.model.TokenTransformerHead;
import org.mammotriage.training.model.TransformerBlock;

/**
 * ONNX mappings of the {@code org.mammotriage.training.model} blocks that are served: the image
 * encoder's blocks and the one {@link TransformerBlock} / {@link MultiHeadAttention} pair (used by
 * the MV-MLM token head and the exam risk head). Each writes the same arithmetic, in the same
 * order, as the block's DJL forward pass in inference mode. The text tower and GLAM's local head
 * are not here: they are never served.
 */
final class EncoderMappers {

  private EncoderMappers() {}

  static void registerInto(OnnxExporter e) {
    e.register(ImageTower.class, EncoderMappers::imageTower);
    e.register(ResNetEncoder.class, EncoderMappers::resNet);
    e.register(ResidualUnit.class, EncoderMappers::residualUnit);
    e.register(MaxPool2d.class, EncoderMappers::maxPool);
    e.register(Relu.class, (b, in, ctx) -> List.of(ctx.graph().node("Relu", in)));
    e.register(Gelu.class, (b, in, ctx) -> List.of(Ops.gelu(ctx.graph(), in.get(0))));
    e.register(GlobalAvgPool.class, EncoderMappers::globalAvgPool);
    e.register(L2Normalize.class, EncoderMappers::l2Normalize);
    e.register(TokenTransformerHead.class, EncoderMappers::tokenHead);
    e.register(TransformerBlock.class, EncoderMappers::transformerBlock);
    e.register(MultiHeadAttention.class, EncoderMappers::attention);
  }

  /**
   * image [B, 1, H, W] → embedding [B, D], feature map [B, C, h, w]. Served graphs bind only the
   * embedding; the feature map is the encoder's output, already in the graph, so it costs nothing.
   */
  private static List<String> imageTower(ImageTower t, List<String> in, ExportContext ctx) {
    List<String> encoded = ctx.export(t.encoder(), List.of(in.get(0)));
    String features = encoded.get(0);
    String pooled = t.pooling() != null ? ctx.export1(t.pooling(), features) : encoded.get(1);
    String embedding = ctx.export1(t.normalize(), ctx.export1(t.projection(), pooled));
    return List.of(embedding, features);
  }

  private static List<String> resNet(ResNetEncoder r, List<String> in, ExportContext ctx) {
    List<String> x = in;
    for (var layer : r.layers()) {
      x = ctx.export(layer, x);
    }
    return x;
  }

  private static List<String> residualUnit(ResidualUnit u, List<String> in, ExportContext ctx) {
    String x = in.get(0);
    String y = ctx.export1(u.relu1(), ctx.export1(u.bn1(), ctx.export1(u.conv1(), x)));
    y = ctx.export1(u.bn2(), ctx.export1(u.conv2(), y));
    String shortcut =
        u.hasProjectionShortcut()
            ? ctx.export1(u.shortcutBn(), ctx.export1(u.shortcutConv(), x))
            : x;
    return List.of(ctx.export1(u.relu2(), Ops.add(ctx.graph(), y, shortcut)));
  }

  // PyTorch's max_pool2d and ONNX MaxPool both ignore padded cells (-inf), floor mode.
  private static List<String> maxPool(MaxPool2d p, List<String> in, ExportContext ctx) {
    long k = p.kernel();
    long s = p.stride();
    long pad = p.padding();
    return List.of(
        ctx.graph()
            .node(
                "MaxPool",
                in,
                Attr.ints("kernel_shape", k, k),
                Attr.ints("strides", s, s),
                Attr.ints("pads", pad, pad, pad, pad),
                Attr.i("ceil_mode", 0)));
  }

  /** [B, C, H, W] → [B, C, H·W] → mean over the last axis, as {@link GlobalAvgPool}. */
  private static List<String> globalAvgPool(GlobalAvgPool p, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String flat = Ops.reshape(g, in.get(0), 0, 0, -1);
    // opset 17 still takes ReduceMean's axes as an attribute
    return List.of(
        g.node("ReduceMean", List.of(flat), Attr.ints("axes", 2), Attr.i("keepdims", 0)));
  }

  /** x / sqrt(sum(x², last axis) + eps), as {@link L2Normalize#normalize}. */
  private static List<String> l2Normalize(L2Normalize n, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String x = in.get(0);
    String sumSq = Ops.reduceSum(g, Ops.mul(g, x, x), true, -1);
    String norm = g.node("Sqrt", List.of(Ops.add(g, sumSq, g.scalar("l2_eps", L2Normalize.EPS))));
    return List.of(g.node("Div", List.of(x, norm)));
  }

  /**
   * feature map [B, C, h, w] → tokens [B, h·w, C] → projection → blocks → norm → max over tokens.
   */
  private static List<String> tokenHead(
      TokenTransformerHead h, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String tokens = Ops.transpose(g, Ops.reshape(g, in.get(0), 0, 0, -1), 0, 2, 1);
    String x = ctx.export1(h.projection(), tokens);
    for (TransformerBlock b : h.blocks()) {
      x = ctx.export1(b, x);
    }
    x = ctx.export1(h.norm(), x);
    return List.of(g.node("ReduceMax", List.of(x), Attr.ints("axes", 1), Attr.i("keepdims", 0)));
  }

  /** inputs: x [B, N, d] and optionally an additive attention mask. */
  private static List<String> transformerBlock(
      TransformerBlock b, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String x = in.get(0);
    String h = ctx.export1(b.norm1(), x);
    List<String> attIn = new ArrayList<>(List.of(h, h));
    if (in.size() > 1) {
      attIn.add(in.get(1));
    }
    x = Ops.add(g, x, ctx.export(b.attention(), attIn).get(0));
    String m = ctx.export1(b.norm2(), x);
    m = ctx.export1(b.fc2(), ctx.export1(b.gelu(), ctx.export1(b.fc1(), m)));
    return List.of(Ops.add(g, x, m));
  }

  /**
   * inputs: query [B, Nq, d], key/value source [B, Nk, d], optionally an additive mask that
   * broadcasts to [B, heads, Nq, Nk] (ONNX Add broadcasts as DJL does).
   */
  private static List<String> attention(MultiHeadAttention a, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    long heads = a.heads();
    long dh = a.dim() / a.heads();
    String q = splitHeads(g, ctx.export1(a.query(), in.get(0)), heads, dh, 0, 2, 1, 3);
    String kT = splitHeads(g, ctx.export1(a.key(), in.get(1)), heads, dh, 0, 2, 3, 1);
    String v = splitHeads(g, ctx.export1(a.value(), in.get(1)), heads, dh, 0, 2, 1, 3);
    String scores = Ops.mul(g, g.node("MatMul", List.of(q, kT)), g.scalar("attn_scale", a.scale()));
    if (in.size() > 2) {
      scores = Ops.add(g, scores, in.get(2));
    }
    String attn = g.node("Softmax", List.of(scores), Attr.i("axis", -1));
    String merged = Ops.transpose(g, g.node("MatMul", List.of(attn, v)), 0, 2, 1, 3);
    return List.of(ctx.export1(a.output(), Ops.reshape(g, merged, 0, 0, a.dim())));
  }

  /** [B, N, d] → [B, N, heads, dh] → the given permutation. */
  private static String splitHeads(OnnxGraph g, String x, long heads, long dh, long... perm) {
    return Ops.transpose(g, Ops.reshape(g, x, 0, 0, heads, dh), perm);
  }
}
