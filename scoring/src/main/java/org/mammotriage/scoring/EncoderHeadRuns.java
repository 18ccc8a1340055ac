package org.mammotriage.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.InputStatistics;
import org.mammotriage.contract.domain.OodReference;

/**
 * The two runs of a contract-2 model: the image encoder over a batch of prepared images, and the
 * exam head over the encodings of a batch of exams (each encoder output stacked over the four slots
 * under its own name; a missing view is zeros and {@code present} 0).
 */
final class EncoderHeadRuns {
  private EncoderHeadRuns() {}

  /** Encodes {@code n} prepared images [n, 1, H, W] read from {@code images} (position 0). */
  static ViewEncoding[] encode(LoadedModel m, FloatBuffer images, int n) throws OrtException {
    ModelManifest mf = m.manifest();
    int h = mf.inputHeight();
    int w = mf.inputWidth();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    images.clear().limit(n * h * w);
    try (OnnxTensor t = OnnxTensor.createTensor(env, images, new long[] {n, 1, h, w});
        OrtSession.Result r = m.imageEncoder().run(Map.of("image", t))) {
      float[] emb = floats(r, ModelManifest.EMBEDDING);
      OodScorer ood = m.ood();
      float[] feats =
          ood == null
              ? null
              : ood.reference().readsFeatures() ? floats(r, OodReference.FEATURES_OUTPUT) : emb;
      Map<String, float[]> outs = new LinkedHashMap<>();
      for (String name : mf.perViewOutputs().keySet()) {
        outs.put(name, floats(r, name));
      }
      int d = mf.embeddingDim();
      String id = m.info().id();
      ViewEncoding[] result = new ViewEncoding[n];
      for (int i = 0; i < n; i++) {
        float[] e = new float[d];
        System.arraycopy(emb, i * d, e, 0, d);
        Map<String, float[]> per = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> o : mf.perViewOutputs().entrySet()) {
          int k = o.getValue();
          float[] v = new float[k];
          System.arraycopy(outs.get(o.getKey()), i * k, v, 0, k);
          per.put(o.getKey(), v);
        }
        Double score = null;
        if (ood != null) {
          score = ood.score(feats, i * ood.reference().featureDim());
        }
        double[] ms =
            InputStatistics.ofPrepared(images, i * h * w, h * w, mf.normMean(), mf.normStd());
        result[i] = new ViewEncoding(id, e, per, new ViewEncoding.Measured(score, ms[0], ms[1]));
      }
      return result;
    } finally {
      images.clear();
    }
  }

  /** Malignancy [n][2] and risk [n][5] of {@code n} exams. */
  record HeadOutput(float[][] malignancy, float[][] risk) {}

  /**
   * Runs the head over exams given as four encodings each (null: a missing view, scored as zeros
   * with present 0), in slot order.
   */
  static HeadOutput head(LoadedModel m, List<ViewEncoding[]> exams) throws OrtException {
    ModelManifest mf = m.manifest();
    int n = exams.size();
    int d = mf.embeddingDim();
    float[] emb = new float[n * 4 * d];
    float[] present = new float[n * 4];
    Map<String, float[]> outs = new LinkedHashMap<>();
    mf.perViewOutputs().forEach((k, width) -> outs.put(k, new float[n * 4 * width]));
    for (int i = 0; i < n; i++) {
      ViewEncoding[] slots = exams.get(i);
      for (int s = 0; s < 4; s++) {
        ViewEncoding v = slots[s];
        if (v == null) {
          continue;
        }
        int at = i * 4 + s;
        present[at] = 1f;
        System.arraycopy(v.embedding(), 0, emb, at * d, d);
        for (Map.Entry<String, Integer> o : mf.perViewOutputs().entrySet()) {
          int k = o.getValue();
          System.arraycopy(v.outputs().get(o.getKey()), 0, outs.get(o.getKey()), at * k, k);
        }
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put(
          ModelManifest.EMBEDDING,
          OnnxTensor.createTensor(env, FloatBuffer.wrap(emb), new long[] {n, 4, d}));
      feed.put(
          "present", OnnxTensor.createTensor(env, FloatBuffer.wrap(present), new long[] {n, 4}));
      for (Map.Entry<String, Integer> o : mf.perViewOutputs().entrySet()) {
        feed.put(
            o.getKey(),
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(outs.get(o.getKey())), new long[] {n, 4, o.getValue()}));
      }
      try (OrtSession.Result r = m.examHead().run(feed)) {
        return new HeadOutput(
            (float[][]) r.get("malignancy").orElseThrow().getValue(),
            (float[][]) r.get("risk").orElseThrow().getValue());
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static float[] floats(OrtSession.Result r, String name) {
    OnnxTensor t =
        (OnnxTensor)
            r.get(name)
                .orElseThrow(() -> new IllegalStateException("encoder has no output " + name));
    FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }
}
