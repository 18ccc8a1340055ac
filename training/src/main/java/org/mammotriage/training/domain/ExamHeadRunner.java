package org.mammotriage.training.domain;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.Slot;

/**
 * Runs a contract-2 model's {@code exam_head.onnx} on one exam's view encodings (by slot name; a
 * missing slot is zeros with present 0) and returns the exam suspicion, max over the breasts'
 * malignancy, as the stream computes it.
 */
public final class ExamHeadRunner implements AutoCloseable {
  private final ModelManifest manifest;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  public ExamHeadRunner(Path modelDir) throws OrtException {
    this.manifest = ModelManifest.read(modelDir.resolve(ModelManifest.FILE));
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      this.session = env.createSession(modelDir.resolve(ModelManifest.EXAM_HEAD).toString(), opts);
    }
  }

  /** The exam suspicion from each slot's encoder outputs (embedding and per-view outputs). */
  public double suspicion(Map<String, Map<String, float[]>> slots) throws OrtException {
    int d = manifest.embeddingDim();
    Slot[] order = Slot.values();
    float[] emb = new float[4 * d];
    float[] present = new float[4];
    Map<String, float[]> outs = new HashMap<>();
    manifest.perViewOutputs().forEach((k, w) -> outs.put(k, new float[4 * w]));
    for (int s = 0; s < 4; s++) {
      Map<String, float[]> v = slots.get(order[s].name());
      if (v == null) {
        continue;
      }
      present[s] = 1;
      System.arraycopy(v.get(ModelManifest.EMBEDDING), 0, emb, s * d, d);
      for (Map.Entry<String, Integer> o : manifest.perViewOutputs().entrySet()) {
        System.arraycopy(
            v.get(o.getKey()), 0, outs.get(o.getKey()), s * o.getValue(), o.getValue());
      }
    }
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put(
          ModelManifest.EMBEDDING,
          OnnxTensor.createTensor(env, FloatBuffer.wrap(emb), new long[] {1, 4, d}));
      feed.put(
          "present", OnnxTensor.createTensor(env, FloatBuffer.wrap(present), new long[] {1, 4}));
      for (Map.Entry<String, Integer> o : manifest.perViewOutputs().entrySet()) {
        feed.put(
            o.getKey(),
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(outs.get(o.getKey())), new long[] {1, 4, o.getValue()}));
      }
      try (OrtSession.Result r = session.run(feed)) {
        float[][] m = (float[][]) r.get("malignancy").orElseThrow().getValue();
        return Math.max(m[0][0], m[0][1]);
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
