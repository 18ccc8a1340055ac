package org.mammotriage.training.export;

import ai.djl.nn.Block;
import ai.onnx.proto.OnnxMl;
import java.util.List;
import org.mammotriage.training.heads.ExamScorerBlock;

/**
 * The two graphs of a model directory (DESIGN §5), with the input and output names the scorer
 * expects.
 */
public final class ExamModelGraphs {
  public static final String VIEWS = "views";
  public static final String PRESENT = "present";
  public static final String MALIGNANCY = "malignancy";
  public static final String RISK = "risk";
  public static final String IMAGE = "image";
  public static final String EMBEDDING = "embedding";

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
}
