package org.mammotriage.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.training.heads.ExamScorerBlock;

/**
 * Runs an exported graph in ONNX Runtime and the DJL block on the same inputs (inference mode) and
 * reports the largest absolute difference per output.
 */
public final class ParityCheck {
  private ParityCheck() {}

  /**
   * @param inputNames graph input names, in the block's input order
   * @param outputNames graph output names, in the block's output order
   * @return output name → max |onnx - djl|
   */
  public static Map<String, Double> maxAbsDiff(
      byte[] onnxModel,
      Block block,
      List<String> inputNames,
      List<String> outputNames,
      NDList inputs)
      throws OrtException {
    NDList expected =
        block.forward(new ParameterStore(inputs.head().getManager(), false), inputs, false);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, Double> diffs = new LinkedHashMap<>();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnxModel, opts)) {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      try {
        for (int i = 0; i < inputNames.size(); i++) {
          NDArray a = inputs.get(i);
          feed.put(
              inputNames.get(i),
              OnnxTensor.createTensor(
                  env, FloatBuffer.wrap(a.toFloatArray()), a.getShape().getShape()));
        }
        try (OrtSession.Result result = session.run(feed)) {
          for (int i = 0; i < outputNames.size(); i++) {
            float[] want = expected.get(i).toFloatArray();
            String name = outputNames.get(i);
            OnnxTensor got =
                (OnnxTensor)
                    result
                        .get(name)
                        .orElseThrow(
                            () ->
                                new IllegalStateException("exported graph has no output " + name));
            FloatBuffer buf = got.getFloatBuffer();
            if (buf.remaining() != want.length) {
              throw new IllegalStateException(
                  "output "
                      + outputNames.get(i)
                      + " has "
                      + buf.remaining()
                      + " values in ONNX and "
                      + want.length
                      + " in DJL");
            }
            double max = 0;
            for (float w : want) {
              max = Math.max(max, Math.abs(buf.get() - w));
            }
            diffs.put(outputNames.get(i), max);
          }
        }
      } finally {
        feed.values().forEach(OnnxTensor::close);
      }
    }
    return diffs;
  }

  /** The same for a single-input, single-output block. */
  public static double maxAbsDiff(
      byte[] onnxModel, Block block, String input, String output, NDArray x) throws OrtException {
    return maxAbsDiff(onnxModel, block, List.of(input), List.of(output), new NDList(x)).get(output);
  }

  /**
   * A contract-2 pair as the stream runs it — the encoder on each view, the head on the four
   * encodings (missing views zeros) — against the DJL whole-exam block on the same exams: output
   * name (malignancy, risk) → max |onnx - djl|.
   *
   * @param views [n, 4, 1, H, W]
   * @param present [n, 4]
   */
  public static Map<String, Double> compositionMaxAbsDiff(
      byte[] encoder, byte[] head, ExamScorerBlock scorer, NDArray views, NDArray present)
      throws OrtException {
    int n = (int) views.getShape().get(0);
    NDList expected =
        scorer.forward(
            new ParameterStore(views.getManager(), false), new NDList(views, present), false);
    Map<String, Double> diffs = new LinkedHashMap<>();
    try (ContractTwoComposition two =
        new ContractTwoComposition(
            encoder,
            head,
            Map.of(ExamModelGraphs.VIEW_LOGIT, 1),
            scorer.height(),
            scorer.width())) {
      Map<String, float[]> got = two.score(views.toFloatArray(), present.toFloatArray(), n);
      diffs.put(
          ExamModelGraphs.MALIGNANCY,
          OrtGraphRun.maxAbsDiff(
              got.get(ExamModelGraphs.MALIGNANCY), expected.get(0).toFloatArray()));
      diffs.put(
          ExamModelGraphs.RISK,
          OrtGraphRun.maxAbsDiff(got.get(ExamModelGraphs.RISK), expected.get(1).toFloatArray()));
    }
    return diffs;
  }
}
