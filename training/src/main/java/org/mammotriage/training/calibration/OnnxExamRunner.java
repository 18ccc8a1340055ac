package org.mammotriage.training.calibration;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.pixelmed.dicom.AttributeList;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.Slot;
import org.mammotriage.contract.image.ImagePreparer;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.training.heads.ExamRecord;

/**
 * Scores exams of a training manifest with a model directory's ONNX files in ONNX Runtime, with the
 * pixels prepared as the stream prepares them (ingest's preprocessing to the working image, area
 * resize to the model size, {@code (x/255 − mean)/std}): contract 1 runs {@code exam_scorer.onnx}
 * on the four views, contract 2 {@code image_encoder.onnx} on each view and {@code exam_head.onnx}
 * on the encodings. The malignancy returned is the RAW graph output (no calibration applied), what
 * a calibration is fitted on. No DJL is loaded: only ONNX Runtime's native library is in the
 * process.
 */
public final class OnnxExamRunner implements AutoCloseable {
  private final ModelManifest manifest;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession first;
  private final OrtSession head;
  private final Preprocessor pre = Preprocessor.defaults();

  public OnnxExamRunner(Path modelDir) throws OrtException {
    this.manifest = ModelManifest.read(modelDir.resolve(ModelManifest.FILE));
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      if (manifest.encodesViews()) {
        first = env.createSession(modelDir.resolve(ModelManifest.IMAGE_ENCODER).toString(), opts);
        head = env.createSession(modelDir.resolve(ModelManifest.EXAM_HEAD).toString(), opts);
      } else {
        first = env.createSession(modelDir.resolve(ModelManifest.EXAM_SCORER).toString(), opts);
        head = null;
      }
    }
  }

  public ModelManifest manifest() {
    return manifest;
  }

  /** The exam's raw malignancy (left, right; 0 for a breast without a view) and risk. */
  public ExamPrediction predict(ExamRecord e) throws Exception {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    int plane = h * w;
    float[] views = new float[4 * plane];
    float[] present = new float[4];
    for (Slot s : Slot.values()) {
      Path p = e.images()[s.ordinal()];
      if (p != null) {
        System.arraycopy(prepare(p), 0, views, s.ordinal() * plane, plane);
        present[s.ordinal()] = 1;
      }
    }
    float[][] out =
        manifest.encodesViews() ? encodeThenHead(views, present) : whole(views, present);
    boolean[] breast = new boolean[2];
    for (Slot s : Slot.values()) {
      breast[s.breastIndex()] |= present[s.ordinal()] > 0;
    }
    double[] mal = {breast[0] ? out[0][0] : 0, breast[1] ? out[0][1] : 0};
    double[] risk = new double[out[1].length];
    for (int k = 0; k < risk.length; k++) {
      risk[k] = out[1][k];
    }
    return new ExamPrediction(
        e.studyUid(), e.patientId(), e.split(), mal, risk, e.breastMalignant(), e.outcome());
  }

  /** One view's model input, as the stream prepares it. */
  private float[] prepare(Path dicom) throws Exception {
    AttributeList l = new AttributeList();
    l.read(dicom.toFile());
    WorkingImage wi = pre.process(l);
    float[] x =
        ImagePreparer.areaResize(
            wi.gray(), wi.rows(), wi.cols(), manifest.inputHeight(), manifest.inputWidth());
    float scale = (float) (1.0 / (255.0 * manifest.normStd()));
    float shift = (float) (manifest.normMean() / manifest.normStd());
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * scale - shift;
    }
    return x;
  }

  private float[][] whole(float[] views, float[] present) throws OrtException {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    try (OnnxTensor v =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(views), new long[] {1, 4, 1, h, w});
        OnnxTensor p = OnnxTensor.createTensor(env, FloatBuffer.wrap(present), new long[] {1, 4});
        OrtSession.Result r = first.run(Map.of("views", v, "present", p))) {
      return outputs(r);
    }
  }

  private float[][] encodeThenHead(float[] views, float[] present) throws OrtException {
    int h = manifest.inputHeight();
    int w = manifest.inputWidth();
    int d = manifest.embeddingDim();
    float[] emb = new float[4 * d];
    Map<String, float[]> perView = new LinkedHashMap<>();
    manifest.perViewOutputs().forEach((k, width) -> perView.put(k, new float[4 * width]));
    try (OnnxTensor t =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(views), new long[] {4, 1, h, w});
        OrtSession.Result r = first.run(Map.of("image", t))) {
      float[][] e = (float[][]) r.get(ModelManifest.EMBEDDING).orElseThrow().getValue();
      for (int s = 0; s < 4; s++) {
        if (present[s] > 0) {
          System.arraycopy(e[s], 0, emb, s * d, d);
        }
      }
      for (Map.Entry<String, float[]> o : perView.entrySet()) {
        float[][] v = (float[][]) r.get(o.getKey()).orElseThrow().getValue();
        int k = manifest.perViewOutputs().get(o.getKey());
        for (int s = 0; s < 4; s++) {
          if (present[s] > 0) {
            System.arraycopy(v[s], 0, o.getValue(), s * k, k);
          }
        }
      }
    }
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put(
          ModelManifest.EMBEDDING,
          OnnxTensor.createTensor(env, FloatBuffer.wrap(emb), new long[] {1, 4, d}));
      feed.put(
          "present", OnnxTensor.createTensor(env, FloatBuffer.wrap(present), new long[] {1, 4}));
      for (Map.Entry<String, float[]> o : perView.entrySet()) {
        feed.put(
            o.getKey(),
            OnnxTensor.createTensor(
                env,
                FloatBuffer.wrap(o.getValue()),
                new long[] {1, 4, manifest.perViewOutputs().get(o.getKey())}));
      }
      try (OrtSession.Result r = head.run(feed)) {
        return outputs(r);
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  /** {malignancy[2], risk[5]} of the one exam. */
  private static float[][] outputs(OrtSession.Result r) throws OrtException {
    float[][] m = (float[][]) r.get("malignancy").orElseThrow().getValue();
    float[][] k = (float[][]) r.get("risk").orElseThrow().getValue();
    return new float[][] {m[0], k[0]};
  }

  @Override
  public void close() throws OrtException {
    first.close();
    if (head != null) {
      head.close();
    }
  }
}
