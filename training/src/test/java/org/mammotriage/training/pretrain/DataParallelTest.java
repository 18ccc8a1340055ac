package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.training.loss.ClipLoss;
import org.mammotriage.training.model.PretrainMethod;

/**
 * The data-parallel split and gather: on one CPU every shard runs on the same device, so the
 * gradient of the contrastive loss over the gathered batch must equal the one of the unsplit batch
 * (the test network has no batch normalisation, the one thing that differs by design).
 */
class DataParallelTest {
  /**
   * Two towers and a temperature, shaped like {@link org.mammotriage.training.model.PretrainNet}.
   */
  static final class TwoTowers extends AbstractBlock {
    private final Linear image = addChildBlock("image", Linear.builder().setUnits(4).build());
    private final Linear text = addChildBlock("text", Linear.builder().setUnits(4).build());
    private final Parameter logScale =
        addParameter(
            Parameter.builder()
                .setName("log_scale")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(new ConstantInitializer((float) Math.log(5)))
                .build());

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      NDArray a = image.forward(ps, new NDList(in.get(0)), training).get(0);
      NDArray b = text.forward(ps, new NDList(in.get(1)), training).get(0);
      NDArray s = ps.getValue(logScale, a.getDevice(), training).exp();
      return new NDList(normalise(a), normalise(b), s);
    }

    private static NDArray normalise(NDArray x) {
      return x.div(x.norm(new int[] {1}, true).add(1e-6f));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      long b = in[0].get(0);
      return new Shape[] {new Shape(b, 4), new Shape(b, 4), new Shape(1)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      image.initialize(manager, dataType, in[0]);
      text.initialize(manager, dataType, in[1]);
    }
  }

  private static List<float[]> gradients(int shards, float[] x, float[] y) {
    Engine.getInstance().setRandomSeed(7);
    try (Model model = Model.newInstance("dp")) {
      TwoTowers net = new TwoTowers();
      model.setBlock(net);
      Device[] devices = DataParallel.devices(shards);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(new ClipLoss())
                  .optDevices(DataParallel.distinct(devices)))) {
        trainer.initialize(new Shape(8, 6), new Shape(8, 5));
        NDManager m = model.getNDManager();
        NDList in = new NDList(m.create(x, new Shape(8, 6)), m.create(y, new Shape(8, 5)));
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDList pred = DataParallel.forward(trainer, in, devices);
          assertThat(pred.get(0).getShape()).isEqualTo(new Shape(8, 4));
          assertThat(pred.get(2).getShape()).isEqualTo(new Shape(1));
          gc.backward(new ClipLoss().evaluate(new NDList(), pred));
        }
        List<float[]> g = new ArrayList<>();
        for (var p : net.getParameters()) {
          g.add(p.getValue().getArray().getGradient().toFloatArray());
        }
        return g;
      }
    }
  }

  @Test
  void shouldGiveTheFullBatchGradientWhenTheBatchIsSplitIntoShards() {
    Random r = new Random(3);
    float[] x = new float[48];
    float[] y = new float[40];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) r.nextGaussian();
    }
    List<float[]> one = gradients(1, x, y);
    for (int shards : new int[] {2, 4}) {
      List<float[]> split = gradients(shards, x, y);
      assertThat(split).hasSameSizeAs(one);
      for (int i = 0; i < one.size(); i++) {
        float[] a = one.get(i);
        float[] b = split.get(i);
        assertThat(b).hasSameSizeAs(a);
        float norm = 0;
        for (int k = 0; k < a.length; k++) {
          assertThat(b[k])
              .as("shards %d parameter %d [%d]", shards, i, k)
              .isCloseTo(a[k], org.assertj.core.api.Assertions.within(1e-5f));
          norm += Math.abs(a[k]);
        }
        // the negatives from the other shards count: a per-shard loss would give other gradients
        assertThat(norm).isGreaterThan(0f);
      }
    }
  }

  @Test
  void shouldRefuseShardsOfFewerThanTwoSamples(@TempDir Path tmp) {
    assertThatThrownBy(
            () -> PretrainerTest.options(PretrainMethod.CLIP, 1, false, tmp).withDataParallel(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch/2 = 2");
    assertThat(DataParallel.devices(3)).hasSize(3);
  }

  @Test
  void shouldPretrainWithTheBatchSplitIntoShards(@TempDir Path tmp) throws Exception {
    Path archive = tmp.resolve("archive");
    org.mammotriage.synth.SyntheticArchive.of(
            org.mammotriage.synth.SynthOptions.defaults(6, 5).withScale(0.05))
        .generate(archive);
    PretrainData data = PretrainData.read(archive.resolve("manifest.csv"));
    List<String> lines = new ArrayList<>();

    Pretrainer.Result r =
        Pretrainer.train(
            data,
            PretrainerTest.options(PretrainMethod.MVCLIP, 2, false, tmp.resolve("cache"))
                .withDataParallel(2),
            tmp.resolve("out"),
            lines::add);

    assertThat(r.history()).hasSize(2);
    assertThat(r.lastLoss()).isFinite();
    assertThat(lines).anyMatch(l -> l.startsWith("data parallel: 2 shards"));
    assertThat(
            java.nio.file.Files.readString(tmp.resolve("out").resolve(PretrainedModel.JSON_FILE)))
        .containsPattern("\"data_parallel_shards\"\\s*:\\s*2");
  }
}
