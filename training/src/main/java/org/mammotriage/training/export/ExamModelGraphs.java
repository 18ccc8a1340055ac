package org.mammotriage.training.export;

import ai.djl.nn.Block;
import ai.onnx.proto.OnnxMl;
import java.util.List;
import org.mammotriage.training.heads.ExamScorerBlock;

/**
 * The graphs of a model directory (DESIGN §5), with the input and output names the scorer expects:
 * contract 1's whole-exam scorer and image encoder, contract 2's image encoder (with the view's
 * malignancy logit as its per-view output) and exam head.
 */
public final class ExamModelGraphs {
  public static final String VIEWS = "views";
  public static final String PRESENT = "present";
  public static final String MALIGNANCY = "malignancy";
  public static final String RISK = "risk";
  public static final String IMAGE = "image";
  public static final String EMBEDDING = "embedding";

  /** Contract 2: the per-view output of the encoder, the view's malignancy logit [N, 1]. */
  public static final String VIEW_LOGIT = "view_logit";

  private final OnnxExporter exporter;

  public ExamModelGraphs(OnnxExporter exporter) {
    this.exporter = exporter;
  }

  /**
   * {@code exam_scorer.onnx}: views [N,4,1,H,W], present [N,4] → malignancy [N,2], risk [N,years].
   */
  public OnnxMl.ModelProto examScorer(ExamScorerBlock scorer) {
    int h = scorer.height();
    int w = scorer.width();
    int years = scorer.heads().config().years();
    return exporter.build(
        "exam_scorer",
        "MammoTriage exam scorer",
        ctx -> {
          ctx.graph().input(VIEWS, -1, 4, 1, h, w);
          ctx.graph().input(PRESENT, -1, 4);
          List<String> out = ctx.export(scorer, List.of(VIEWS, PRESENT));
          ctx.graph().bindOutput(out.get(0), MALIGNANCY, -1, 2);
          ctx.graph().bindOutput(out.get(1), RISK, -1, years);
        });
  }

  /** {@code image_encoder.onnx}: image [N,1,H,W] → embedding [N,D]. */
  public OnnxMl.ModelProto imageEncoder(Block encoder, int height, int width, int embeddingDim) {
    return exporter.build(
        "image_encoder",
        "MammoTriage image encoder",
        ctx -> {
          ctx.graph().input(IMAGE, -1, 1, height, width);
          String emb = ctx.export1(encoder, IMAGE);
          ctx.graph().bindOutput(emb, EMBEDDING, -1, embeddingDim);
        });
  }

  /**
   * Contract 2's {@code image_encoder.onnx}: image [N,1,H,W] → embedding [N,D], view_logit [N,1].
   */
  public OnnxMl.ModelProto viewEncoder(ExamScorerBlock scorer) {
    int d = scorer.heads().config().embeddingDim();
    return exporter.build(
        "image_encoder",
        "MammoTriage image encoder (model contract 2)",
        ctx -> {
          ctx.graph().input(IMAGE, -1, 1, scorer.height(), scorer.width());
          List<String> out = ModelMappers.viewEncoder(scorer, IMAGE, ctx);
          ctx.graph().bindOutput(out.get(0), EMBEDDING, -1, d);
          ctx.graph().bindOutput(out.get(1), VIEW_LOGIT, -1, 1);
        });
  }

  /**
   * Contract 2's {@code exam_head.onnx}: embedding [N,4,D], view_logit [N,4,1], present [N,4] →
   * malignancy [N,2], risk [N,years].
   */
  public OnnxMl.ModelProto examHead(ExamScorerBlock scorer) {
    int d = scorer.heads().config().embeddingDim();
    int years = scorer.heads().config().years();
    return exporter.build(
        "exam_head",
        "MammoTriage exam head (model contract 2)",
        ctx -> {
          ctx.graph().input(EMBEDDING, -1, 4, d);
          ctx.graph().input(VIEW_LOGIT, -1, 4, 1);
          ctx.graph().input(PRESENT, -1, 4);
          List<String> out = ModelMappers.examHead(scorer, EMBEDDING, VIEW_LOGIT, PRESENT, ctx);
          ctx.graph().bindOutput(out.get(0), MALIGNANCY, -1, 2);
          ctx.graph().bindOutput(out.get(1), RISK, -1, years);
        });
  }
}
