package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mammotriage.training.export.Backbones.D;
import static org.mammotriage.training.export.Backbones.H;
import static org.mammotriage.training.export.Backbones.W;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamHeads;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.heads.HeadsConfig;
import org.mammotriage.training.model.ImageTower;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.VitEncoder;

/**
 * The EfficientNet and ViT image towers, trained a few steps, exported through the real exporter
 * and run in ONNX Runtime against the DJL forward pass (inference mode) on seeded inputs: the
 * embedding and the feature map, at the trained input size and — for the ViT, whose position
 * embedding is resized and whose input is padded to a multiple of the patch size — at other sizes;
 * and a whole contract-2 model directory written by {@link ModelExport}, which checks its own
 * parity.
 */
class BackboneExportParityTest {
  private static final double TOLERANCE = ModelExport.PARITY_TOLERANCE;
  private static final long[] INPUT_SEEDS = {11, 12, 13};

  @ParameterizedTest(name = "EfficientNet, {0} token layers")
  @ValueSource(ints = {0, 1})
  void shouldMatchDjlForTheEfficientNetTowerAfterTrainingSteps(int tokenLayers) throws Exception {
    try (Model model = Model.newInstance("efficientnet");
        NDManager m = NDManager.newBaseManager()) {
      // given
      ImageTower tower = Backbones.trained(model, Backbones.efficientNet(tokenLayers), 21, 2);
      assertThat(PretrainedTowers.batchNormDrift(tower)).isGreaterThan(0.01);

      // when
      Map<String, Double> diffs = towerDiffs(m, tower, H, W);
      System.out.printf("parity EfficientNet tokens=%d: %s%n", tokenLayers, diffs);

      // then
      assertThat(diffs).hasSize(2 * INPUT_SEEDS.length);
      assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @ParameterizedTest(name = "ViT, {0} pooling")
  @EnumSource(VitEncoder.Pooling.class)
  void shouldMatchDjlForTheVitTowerAtTheTrainedAndAtOtherInputSizes(VitEncoder.Pooling pooling)
      throws Exception {
    try (Model model = Model.newInstance("vit");
        NDManager m = NDManager.newBaseManager()) {
      // given a ViT trained a few steps: its CLS token and position embedding moved
      ImageTower tower = Backbones.initialised(model, Backbones.vit(pooling), 22);
      VitEncoder vit = (VitEncoder) tower.encoder();
      float[] cls = vit.clsToken().getArray().toFloatArray();
      float[] pos = vit.position().getArray().toFloatArray();
      Backbones.train(model, tower, 2);
      assertThat(maxAbsDiff(vit.clsToken(), cls)).isGreaterThan(1e-3);
      assertThat(maxAbsDiff(vit.position(), pos)).isGreaterThan(1e-3);

      // when: the trained 64x40 (8x5 patches), a larger size needing padding (72x52 -> 9x7
      // patches), a smaller one (48x32 -> 6x4)
      Map<String, Double> diffs = new LinkedHashMap<>();
      diffs.putAll(towerDiffs(m, tower, H, W));
      diffs.putAll(towerDiffs(m, tower, 72, 52));
      diffs.putAll(towerDiffs(m, tower, 48, 32));
      System.out.printf("parity ViT %s pooling: %s%n", pooling, diffs);

      // then
      assertThat(diffs).hasSize(3 * 2 * INPUT_SEEDS.length);
      assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @Test
  void shouldWriteModelDirectoriesWithBothBackbonesWhoseExportParityIsWithinTolerance(
      @TempDir Path out) throws Exception {
    for (ModelConfig cfg :
        List.of(Backbones.efficientNet(1), Backbones.vit(VitEncoder.Pooling.CLS))) {
      try (Model model = Model.newInstance(cfg.backboneType());
          NDManager m = NDManager.newBaseManager()) {
        // given an exam scorer on the trained tower
        ImageTower tower = Backbones.trained(model, cfg, 23, 2);
        ExamHeads heads = new ExamHeads(new HeadsConfig(D, 16, 1, 2, 5, BreastAggregation.MAX));
        heads.initialize(m, DataType.FLOAT32, new Shape(1, 4, D), new Shape(1, 4));
        PretrainedTowers.perturbOffsetsAndScales(heads, m);
        ExamScorerBlock scorer = new ExamScorerBlock(tower, heads, H, W);

        // when
        ModelExport.Result result =
            new ModelExport(OnnxExporter.standard())
                .write(scorer, card(cfg.backboneType()), out.resolve(cfg.backboneType()));

        // then
        System.out.printf(
            "parity %s model directory: %s%n", cfg.describeBackbone() + ")", result.parity());
        assertThat(result.parity()).isNotEmpty();
        assertThat(result.parity().values())
            .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
      }
    }
  }

  /** Per input seed: max |ONNX − DJL| of the embedding and of the feature map at h×w. */
  private static Map<String, Double> towerDiffs(NDManager m, ImageTower tower, int h, int w)
      throws Exception {
    Shape f = tower.getOutputShapes(new Shape[] {new Shape(1, 1, h, w)})[1];
    byte[] onnx =
        OnnxExporter.standard()
            .build(
                "tower",
                "test",
                ctx -> {
                  ctx.graph().input("image", -1, 1, h, w);
                  List<String> out = ctx.export(tower, List.of("image"));
                  ctx.graph().bindOutput(out.get(0), "embedding", -1, D);
                  ctx.graph().bindOutput(out.get(1), "features", -1, f.get(1), f.get(2), f.get(3));
                })
            .toByteArray();
    Map<String, Double> diffs = new LinkedHashMap<>();
    for (long seed : INPUT_SEEDS) {
      m.getEngine().setRandomSeed((int) seed);
      NDArray x = m.randomNormal(0.2f, 1.2f, new Shape(3, 1, h, w), DataType.FLOAT32);
      ParityCheck.maxAbsDiff(
              onnx, tower, List.of("image"), List.of("embedding", "features"), new NDList(x))
          .forEach((k, v) -> diffs.put(h + "x" + w + " seed " + seed + " " + k, v));
    }
    return diffs;
  }

  private static double maxAbsDiff(Parameter p, float[] before) {
    float[] now = p.getArray().toFloatArray();
    double max = 0;
    for (int i = 0; i < now.length; i++) {
      max = Math.max(max, Math.abs(now[i] - before[i]));
    }
    return max;
  }

  private static ModelCard card(String name) {
    OperatingPoint p = new OperatingPoint(0.5, 0.9, 0.8, 9, 1, 8, 2);
    return new ModelCard(
        name + "-test",
        "0.0.1",
        "unit test model; random weights; NOT for clinical use",
        PretrainedTowers.NORM_MEAN,
        PretrainedTowers.NORM_STD,
        new Thresholds(0.5, 0.1, 0.3, "made up for a test", p, p),
        Map.of("exam_auc", 0.5));
  }
}
