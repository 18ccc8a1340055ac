package org.mammotriage.training.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.testing.Fixtures;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamHeads;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.heads.HeadsConfig;
import org.mammotriage.training.model.ImageTower;
import org.mammotriage.training.model.Init;
import org.mammotriage.training.model.ModelConfig;

/**
 * Small pretraining image towers ({@link ModelConfig#imageTower()}) inside exam scorers, set up so
 * that a wrong export mapping shows: seeded He init, perturbed biases and norm affines, and
 * BatchNorm running statistics moved by training-mode forward passes.
 */
final class PretrainedTowers {
  /** 128×80 gives a 4×3 feature map: 12 tokens for the MV-MLM head. */
  static final int H = 128;

  static final int W = 80;
  static final int D = 16;
  static final double NORM_MEAN = 0.2;
  static final double NORM_STD = 0.25;

  /** Real DICOM samples that ingest's preprocessing turns into working images. */
  static final String[] SAMPLES = {
    "vendor-headers/MG-Im-GE_Seno_1_ForPresentation.dcm",
    "vendor-headers/MG-Im-GE-SenDS-scaled.dcm",
    "cbis-ddsm/P_00016_LEFT_CC_1_cropped_000001.dcm",
    "cbis-ddsm/P_00116_RIGHT_MLO_1_roi_000000.dcm"
  };

  private PretrainedTowers() {}

  static ModelConfig config(int resnetDepth, int tokenLayers) {
    return new ModelConfig(
        H,
        W,
        resnetDepth,
        8,
        tokenLayers,
        16,
        D,
        16,
        1,
        2,
        96,
        20,
        2,
        16,
        (float) NORM_MEAN,
        (float) NORM_STD);
  }

  /** The tower of {@code cfg} with heads, parameters owned by {@code m}. */
  static ExamScorerBlock scorer(
      NDManager m, ModelConfig cfg, BreastAggregation aggregation, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    ImageTower tower = Init.initialize(cfg.imageTower(), m, new Shape(1, 1, H, W));
    ExamHeads heads = new ExamHeads(new HeadsConfig(cfg.embeddingDim(), 16, 1, 2, 5, aggregation));
    heads.initialize(m, DataType.FLOAT32, new Shape(1, 4, cfg.embeddingDim()), new Shape(1, 4));
    perturbOffsetsAndScales(tower, m);
    perturbOffsetsAndScales(heads, m);
    trainingPasses(tower, m, 3);
    return new ExamScorerBlock(tower, heads, H, W);
  }

  /**
   * Zero biases and unit norm scales would hide a mapping that drops or swaps them; give every
   * bias, gamma and beta (BatchNorm and LayerNorm alike) other values.
   */
  static void perturbOffsetsAndScales(Block block, NDManager m) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      String name = p.getKey();
      NDArray a = p.getValue().getArray();
      if (name.endsWith("gamma")) {
        a.set(m.randomNormal(1f, 0.2f, a.getShape(), DataType.FLOAT32).toFloatArray());
      } else if (name.endsWith("beta") || name.endsWith("bias")) {
        a.set(m.randomNormal(0f, 0.2f, a.getShape(), DataType.FLOAT32).toFloatArray());
      }
    }
  }

  /** Training-mode forward passes: BatchNorm updates its running mean and variance. */
  static void trainingPasses(Block tower, NDManager m, int passes) {
    for (int i = 0; i < passes; i++) {
      try (NDManager batch = m.newSubManager()) {
        NDArray x = batch.randomNormal(0.3f, 1.5f, new Shape(4, 1, H, W), DataType.FLOAT32);
        tower.forward(new ParameterStore(batch, false), new NDList(x), true);
      }
    }
  }

  /** Largest |running statistic − its fresh value (mean 0, variance 1)| over all BatchNorms. */
  static double batchNormDrift(Block block) {
    double drift = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      float fresh;
      if (p.getKey().endsWith("runningMean")) {
        fresh = 0f;
      } else if (p.getKey().endsWith("runningVar")) {
        fresh = 1f;
      } else {
        continue;
      }
      for (float v : p.getValue().getArray().toFloatArray()) {
        drift = Math.max(drift, Math.abs(v - fresh));
      }
    }
    return drift;
  }

  /** The real samples as model inputs (H×W each), the way serving reads them. */
  static float[][] realViews() throws IOException {
    ViewImageLoader loader =
        new ViewImageLoader(Preprocessor.defaults(), H, W, NORM_MEAN, NORM_STD);
    float[][] views = new float[SAMPLES.length][];
    for (int i = 0; i < SAMPLES.length; i++) {
      Path p = Fixtures.sample(SAMPLES[i]);
      views[i] = loader.load(p);
    }
    return views;
  }

  /**
   * Exams [n, 4, 1, H, W] built from {@code slots}: each entry indexes {@code images}, or is -1 for
   * a missing view (zero-filled, as the scorer does).
   */
  static NDList exams(NDManager m, float[][] images, int[][] slots) {
    int n = slots.length;
    float[] views = new float[n * 4 * H * W];
    float[] present = new float[n * 4];
    for (int e = 0; e < n; e++) {
      for (int s = 0; s < 4; s++) {
        int img = slots[e][s];
        if (img >= 0) {
          System.arraycopy(images[img], 0, views, (e * 4 + s) * H * W, H * W);
          present[e * 4 + s] = 1;
        }
      }
    }
    return new NDList(
        m.create(views, new Shape(n, 4, 1, H, W)), m.create(present, new Shape(n, 4)));
  }
}
