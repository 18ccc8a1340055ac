package org.mammotriage.training.export;

import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.training.export.OrtGraphRun.Tensor;

/**
 * Runs a contract-2 pair as the stream does — the image encoder on each view, the exam head on the
 * four encodings (a missing view's encoding is zeros, {@code present} 0) — and compares it with a
 * contract-1 whole-exam graph of the same weights on the same exams. Used by the export and by the
 * contract-1 → contract-2 conversion.
 */
final class ContractTwoComposition implements AutoCloseable {
  private final OrtGraphRun encoder;
  private final OrtGraphRun head;
  private final Map<String, Integer> perView;
  private final int h;
  private final int w;

  /**
   * @param perViewOutputs the encoder's per-view outputs (name → width) the head takes stacked
   */
  ContractTwoComposition(
      byte[] encoder, byte[] head, Map<String, Integer> perViewOutputs, int h, int w)
      throws OrtException {
    this.encoder = new OrtGraphRun(encoder);
    this.head = new OrtGraphRun(head);
    this.perView = perViewOutputs;
    this.h = h;
    this.w = w;
  }

  /** Encoder outputs for [m, 1, H, W] images, by name. */
  Map<String, float[]> encode(float[] images, int m) throws OrtException {
    return encoder.run(Map.of(ExamModelGraphs.IMAGE, new Tensor(images, m, 1, h, w)));
  }

  /**
   * The composition on n exams: views [n, 4, 1, H, W] and present [n, 4] → malignancy [n*2], risk
   * [n*years].
   */
  Map<String, float[]> score(float[] views, float[] present, int n) throws OrtException {
    Map<String, float[]> enc = encode(views, n * 4);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    float[] emb = masked(enc.get(ExamModelGraphs.EMBEDDING), present);
    feed.put(ExamModelGraphs.EMBEDDING, new Tensor(emb, n, 4, emb.length / (n * 4)));
    for (Map.Entry<String, Integer> o : perView.entrySet()) {
      feed.put(o.getKey(), new Tensor(masked(enc.get(o.getKey()), present), n, 4, o.getValue()));
    }
    feed.put(ExamModelGraphs.PRESENT, new Tensor(present, n, 4));
    return head.run(feed);
  }

  /** Zeroes the rows of missing views (the stream never encodes a view it does not have). */
  private static float[] masked(float[] perView, float[] present) {
    float[] out = perView.clone();
    int width = out.length / present.length;
    for (int v = 0; v < present.length; v++) {
      if (present[v] == 0f) {
        java.util.Arrays.fill(out, v * width, (v + 1) * width, 0f);
      }
    }
    return out;
  }

  /**
   * Max |composition − whole-exam graph| per output over the exams of {@code cases} (each {views,
   * present} with n exams).
   */
  Map<String, Double> against(byte[] wholeExam, List<float[][]> cases, int n) throws OrtException {
    Map<String, Double> worst = new LinkedHashMap<>();
    try (OrtGraphRun v1 = new OrtGraphRun(wholeExam)) {
      for (float[][] c : cases) {
        Map<String, float[]> two = score(c[0], c[1], n);
        Map<String, float[]> one =
            v1.run(
                Map.of(
                    ExamModelGraphs.VIEWS,
                    new Tensor(c[0], n, 4, 1, h, w),
                    ExamModelGraphs.PRESENT,
                    new Tensor(c[1], n, 4)));
        for (String k : List.of(ExamModelGraphs.MALIGNANCY, ExamModelGraphs.RISK)) {
          worst.merge(k, OrtGraphRun.maxAbsDiff(two.get(k), one.get(k)), Math::max);
        }
      }
    }
    return worst;
  }

  @Override
  public void close() throws OrtException {
    encoder.close();
    head.close();
  }
}
