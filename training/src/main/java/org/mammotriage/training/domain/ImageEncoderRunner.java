package org.mammotriage.training.domain;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.contract.image.ImagePreparer;

/**
 * Runs a model directory's {@code image_encoder.onnx} (or another encoder file for it) on one
 * working image exactly as the stream does (area resize to the model size, {@code (x/255 −
 * mean)/std}) and returns its outputs: the embedding, the per-view outputs and, when the graph has
 * it, {@code ood_features}.
 */
public final class ImageEncoderRunner implements AutoCloseable {
  private final ModelManifest manifest;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final boolean hasFeatures;
  private final Path modelDir;

  public ImageEncoderRunner(Path modelDir) throws OrtException {
    this(modelDir, modelDir.resolve(ModelManifest.IMAGE_ENCODER));
  }

  public ImageEncoderRunner(Path modelDir, Path encoderFile) throws OrtException {
    this.modelDir = modelDir;
    this.manifest = ModelManifest.read(modelDir.resolve(ModelManifest.FILE));
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      this.session = env.createSession(encoderFile.toString(), opts);
    }
    this.hasFeatures = session.getOutputNames().contains(OodReference.FEATURES_OUTPUT);
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public Path modelDir() {
    return modelDir;
  }

  /** Whether the encoder has the {@code ood_features} output. */
  public boolean hasFeatures() {
    return hasFeatures;
  }

  /** The embedding of one 8-bit working image. */
  public float[] embed(byte[] gray, int rows, int cols) throws OrtException {
    return run(gray, rows, cols).get(ModelManifest.EMBEDDING);
  }

  /** Every output of the encoder on one 8-bit working image, by name. */
  public Map<String, float[]> run(byte[] gray, int rows, int cols) throws OrtException {
    return runPrepared(prepare(gray, rows, cols));
  }

  /** The model input of one 8-bit working image, as the stream prepares it. */
  public float[] prepare(byte[] gray, int rows, int cols) {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    float[] x = ImagePreparer.areaResize(gray, rows, cols, h, w);
    float scale = (float) (1.0 / (255.0 * manifest.normStd()));
    float shift = (float) (manifest.normMean() / manifest.normStd());
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * scale - shift;
    }
    return x;
  }

  /** Every output on one prepared image [1, 1, H, W]. */
  public Map<String, float[]> runPrepared(float[] x) throws OrtException {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 1, h, w});
        OrtSession.Result r = session.run(Map.of("image", t))) {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
        out.put(e.getKey(), ((float[][]) e.getValue().getValue())[0]);
      }
      return out;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
