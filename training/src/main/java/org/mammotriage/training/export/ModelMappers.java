package org.mammotriage.training.export;

import static org.mammotriage.training.export.OnnxGraph.Attr;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.mammotriage.training.heads.AdditiveHazard;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamHeads;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.heads.MalignancyHead;
import org.mammotriage.training.heads.RiskHead;

/**
 * ONNX mappings of the MammoTriage head blocks (the same arithmetic as their DJL forward passes).
 * The risk head's transformer layers are {@code model} blocks, mapped in {@link EncoderMappers}.
 */
final class ModelMappers {

  private ModelMappers() {}

  static void registerInto(OnnxExporter e) {
    e.register(AdditiveHazard.class, ModelMappers::hazard);
    e.register(RiskHead.class, ModelMappers::riskHead);
    e.register(MalignancyHead.class, ModelMappers::malignancyHead);
    e.register(ExamHeads.class, ModelMappers::examHeads);
    e.register(ExamScorerBlock.class, ModelMappers::examScorer);
  }

  private static List<String> hazard(AdditiveHazard hz, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String base = ctx.export1(hz.base(), in.get(0));
    String inc = g.node("Softplus", List.of(ctx.export1(hz.increments(), in.get(0))));
    String cum = g.node("CumSum", List.of(inc, g.int64s("axis", 1)));
    return List.of(Ops.add(g, cum, base));
  }

  /** inputs: embeddings [B, 4, D], present [B, 4]. */
  private static List<String> riskHead(RiskHead r, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String present = in.get(1);
    String presentCol = Ops.unsqueeze(g, present, 2);
    String slots;
    try (NDManager m = NDManager.newBaseManager()) {
      slots = ctx.constant("slot_embedding", r.slotEmbedding(m));
    }
    String x = Ops.mul(g, Ops.add(g, ctx.export1(r.project(), in.get(0)), slots), presentCol);
    String maskBias =
        Ops.unsqueeze(
            g,
            Ops.mul(
                g,
                g.node("Sub", List.of(present, g.scalar("one", 1f))),
                g.scalar("mask_negative", RiskHead.MASK_NEGATIVE)),
            1,
            2);
    for (var layer : r.layers()) {
      x = ctx.export(layer, List.of(x, maskBias)).get(0);
    }
    x = ctx.export1(r.finalNorm(), x);
    String summed = Ops.reduceSum(g, Ops.mul(g, x, presentCol), false, 1);
    String count = g.node("Max", List.of(Ops.reduceSum(g, present, true, 1), g.scalar("one", 1f)));
    String pooled = g.node("Div", List.of(summed, count));
    return ctx.export(r.hazard(), List.of(pooled));
  }

  /** input [B, 4, D] → logits [B, 4]. */
  private static List<String> malignancyHead(MalignancyHead h, List<String> in, ExportContext ctx) {
    String logits = ctx.export1(h.probe(), in.get(0));
    return List.of(Ops.reshape(ctx.graph(), logits, 0, 4));
  }

  private static List<String> examHeads(ExamHeads h, List<String> in, ExportContext ctx) {
    String view = ctx.export(h.malignancy(), List.of(in.get(0))).get(0);
    String risk = ctx.export(h.risk(), List.of(in.get(0), in.get(1))).get(0);
    return List.of(view, risk);
  }

  /**
   * inputs: views [N, 4, 1, H, W], present [N, 4] → malignancy [N, 2], risk [N, years]
   * (probabilities).
   */
  private static List<String> examScorer(ExamScorerBlock s, List<String> in, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String present = in.get(1);
    String flat = Ops.reshape(g, in.get(0), -1, 1, s.height(), s.width());
    String emb = ctx.export1(s.encoder(), flat);
    String embeddings = Ops.reshape(g, emb, -1, 4, s.heads().config().embeddingDim());
    List<String> out = ctx.export(s.heads(), List.of(embeddings, present));
    return List.of(malignancy(s, g, out.get(0), present), g.node("Sigmoid", List.of(out.get(1))));
  }

  /**
   * Contract 2's image encoder: image [N, 1, H, W] → embedding [N, D] and the view's malignancy
   * logit [N, 1] (the malignancy probe on the embedding).
   */
  static List<String> viewEncoder(ExamScorerBlock s, String image, ExportContext ctx) {
    String emb = ctx.export1(s.encoder(), image);
    String logit = ctx.export1(s.heads().malignancy().probe(), emb);
    return List.of(emb, logit);
  }

  /**
   * Contract 2's exam head: embedding [N, 4, D], view logits [N, 4, 1], present [N, 4] → malignancy
   * [N, 2], risk [N, years] (probabilities), the arithmetic of {@link #examScorer} after its
   * encoder.
   */
  static List<String> examHead(
      ExamScorerBlock s, String embeddings, String viewLogits, String present, ExportContext ctx) {
    OnnxGraph g = ctx.graph();
    String logits = Ops.reshape(g, viewLogits, -1, 4);
    String risk = ctx.export(s.heads().risk(), List.of(embeddings, present)).get(0);
    return List.of(malignancy(s, g, logits, present), g.node("Sigmoid", List.of(risk)));
  }

  /** Per-view logits [N, 4] → per-breast probability [N, 2] by the model's aggregation. */
  private static String malignancy(
      ExamScorerBlock s, OnnxGraph g, String viewLogits, String present) {
    String viewProbs = Ops.mul(g, g.node("Sigmoid", List.of(viewLogits)), present);
    String perBreast = Ops.reshape(g, viewProbs, -1, 2, 2);
    if (s.heads().config().aggregation() == BreastAggregation.MAX) {
      return g.node("ReduceMax", List.of(perBreast), Attr.ints("axes", 2), Attr.i("keepdims", 0));
    }
    String n =
        g.node(
            "Max",
            List.of(
                Ops.reduceSum(g, Ops.reshape(g, present, -1, 2, 2), false, 2),
                g.scalar("one", 1f)));
    return g.node("Div", List.of(Ops.reduceSum(g, perBreast, false, 2), n));
  }
}
