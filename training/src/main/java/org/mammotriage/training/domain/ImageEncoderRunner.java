package org.mammotriage.training.domain;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.image.ImagePreparer;

/**
 * Runs a model directory's {@code image_encoder.onnx} on one working image exactly as the stream
 * does (area resize to the model size, {@code (x/255 − mean)/std}) and returns its embedding.
 */
public final class ImageEncoderRunner implements AutoCloseable {
  private final ModelManifest manifest;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  public ImageEncoderRunner(Path modelDir) throws OrtException {
    this.manifest = ModelManifest.read(modelDir.resolve(ModelManifest.FILE));
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      this.session =
          env.createSession(modelDir.resolve(ModelManifest.IMAGE_ENCODER).toString(), opts);
    }
  }

  public ModelManifest manifest() {
    return manifest;
  }

  /** The embedding of one 8-bit working image. */
  public float[] embed(byte[] gray, int rows, int cols) throws OrtException {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    float[] x = ImagePreparer.areaResize(gray, rows, cols, h, w);
    float scale = (float) (1.0 / (255.0 * manifest.normStd()));
    float shift = (float) (manifest.normMean() / manifest.normStd());
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * scale - shift;
    }
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 1, h, w});
        OrtSession.Result r = session.run(Map.of("image", t))) {
      float[][] e = (float[][]) r.get(ModelManifest.EMBEDDING).orElseThrow().getValue();
      return e[0];
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
