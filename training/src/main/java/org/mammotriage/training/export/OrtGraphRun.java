package org.mammotriage.training.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** One ONNX graph (bytes) in an ONNX Runtime session, run on float inputs given as arrays. */
final class OrtGraphRun implements AutoCloseable {
  /** A float tensor: its values (row-major) and shape. */
  record Tensor(float[] values, long... shape) {}

  private final OrtSession session;

  OrtGraphRun(byte[] model) throws OrtException {
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      session = OrtEnvironment.getEnvironment().createSession(model, opts);
    }
  }

  /** Runs the graph; every output as a flat array. */
  Map<String, float[]> run(Map<String, Tensor> inputs) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        feed.put(
            e.getKey(),
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(e.getValue().values()), e.getValue().shape()));
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      try (OrtSession.Result r = session.run(feed)) {
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
          FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
          float[] v = new float[b.remaining()];
          b.get(v);
          out.put(e.getKey(), v);
        }
      }
      return out;
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalStateException("outputs of " + a.length + " and " + b.length + " values");
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
