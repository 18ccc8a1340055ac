package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlocksTest {
  private NDManager nd;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    Engine.getInstance().setRandomSeed(3);
    nd = NDManager.newBaseManager();
    ps = new ParameterStore(nd, false);
  }

  @AfterEach
  void close() {
    nd.close();
  }

  @Test
  void shouldDownsampleByThirtyTwoAndEmitUnitEmbeddings() {
    // given
    ModelConfig cfg = ModelConfig.tiny(20);
    ImageTower tower = Init.initialize(cfg.imageTower(), nd, new Shape(2, 1, 64, 40));
    // when
    NDList out = tower.forward(ps, new NDList(nd.randomNormal(new Shape(2, 1, 64, 40))), false);
    // then
    assertThat(out.get(1).getShape()).isEqualTo(new Shape(2, 64, 2, 2));
    assertThat(tower.getOutputShapes(new Shape[] {new Shape(2, 1, 64, 40)})[1])
        .isEqualTo(out.get(1).getShape());
    assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, 16));
    NDArray norms = out.get(0).square().sum(new int[] {1}).sqrt();
    for (float n : norms.toFloatArray()) {
      assertThat(n).isCloseTo(1f, within(1e-4f));
    }
    assertThat(ResNetEncoder.outputSize(320)).isEqualTo(10);
  }

  @Test
  void shouldAverageTheFeatureMapWhenTheTowerHasNoTokenLayers() {
    // given
    NDArray map = nd.arange(0f, 12f).reshape(1, 2, 2, 3);
    ModelConfig plain =
        new ModelConfig(64, 40, 10, 8, 0, 16, 16, 16, 1, 2, 96, 20, 2, 16, 0.2f, 0.25f);
    ImageTower tower = Init.initialize(plain.imageTower(), nd, new Shape(2, 1, 64, 40));
    // when
    NDArray pooled = new GlobalAvgPool().forward(ps, new NDList(map), false).singletonOrThrow();
    NDList out = tower.forward(ps, new NDList(nd.randomNormal(new Shape(2, 1, 64, 40))), false);
    // then
    assertThat(pooled.toFloatArray()).containsExactly(2.5f, 8.5f);
    assertThat(tower.pooling()).isInstanceOf(GlobalAvgPool.class);
    assertThat(out.get(0).getShape()).isEqualTo(new Shape(2, plain.embeddingDim()));
  }

  @Test
  void shouldIgnorePaddingInTheTextEncoder() {
    // given
    TextTower text =
        Init.initialize(ModelConfig.tiny(20).textTower(), nd, new Shape(1, 8), new Shape(1, 8));
    NDArray mask = nd.create(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, new Shape(1, 8));
    NDArray a = nd.create(new long[] {2, 5, 6, 3, 0, 0, 0, 0}, new Shape(1, 8));
    NDArray b = nd.create(new long[] {2, 5, 6, 3, 9, 9, 7, 8}, new Shape(1, 8));
    // when: only padded positions differ
    NDArray za = text.forward(ps, new NDList(a, mask), false).get(0);
    NDArray zb = text.forward(ps, new NDList(b, mask), false).get(0);
    NDArray zc = text.forward(ps, new NDList(b, nd.ones(new Shape(1, 8))), false).get(0);
    // then
    assertThat(za.sub(zb).abs().max().getFloat()).isLessThan(1e-5f);
    assertThat(za.sub(zc).abs().max().getFloat()).isGreaterThan(1e-4f);
  }

  @Test
  void shouldProduceTheOutputsEachMethodNeeds() {
    for (PretrainMethod method : PretrainMethod.values()) {
      PretrainNet net = new PretrainNet(method, ModelConfig.tiny(20));
      Init.initialize(net, nd, net.inputShapes(2));
      NDList in = new NDList();
      in.add(nd.randomNormal(new Shape(2, 1, 64, 40)));
      if (method.multiView()) {
        in.add(nd.randomNormal(new Shape(2, 1, 64, 40)));
      }
      in.add(nd.zeros(new Shape(2, 96), DataType.INT64));
      in.add(nd.ones(new Shape(2, 96)));
      NDList out = net.forward(ps, in, false);
      Shape[] declared = net.getOutputShapes(net.inputShapes(2));
      assertThat(out).hasSize(declared.length);
      for (int i = 0; i < declared.length; i++) {
        assertThat(out.get(i).getShape()).as("%s output %d", method, i).isEqualTo(declared[i]);
      }
      assertThat(out.get(method.multiView() ? 3 : 2).getFloat())
          .as("initial 1/tau of text")
          .isCloseTo((float) (1 / method.temperatures().text().tau()), within(1e-3f));
    }
  }

  @Test
  void shouldReachMvMlmsTemperatureAndKeepTheTemperaturesThePapersSet() {
    // MV-MLM §4.2 sets τ1 = 0.007 (1/τ = 142.9, above CLIP's old ceiling of 100) and τ2 = 0.1
    PretrainNet mv = new PretrainNet(PretrainMethod.MVCLIP, ModelConfig.tiny(20));
    Init.initialize(mv, nd, mv.inputShapes(2));
    NDList in =
        new NDList(
            nd.randomNormal(new Shape(2, 1, 64, 40)),
            nd.randomNormal(new Shape(2, 1, 64, 40)),
            nd.zeros(new Shape(2, 96), DataType.INT64),
            nd.ones(new Shape(2, 96)));
    NDList out = mv.forward(ps, in, false);
    assertThat(out.get(3).getFloat()).isCloseTo(1 / 0.007f, within(1e-2f));
    assertThat(out.get(4).getFloat()).isCloseTo(10f, within(1e-4f));
    assertThat(mv.getParameters().get("log_scale_text").requiresGradient()).isFalse();
    assertThat(mv.getParameters().get("log_scale_view").requiresGradient()).isFalse();

    // a learned temperature may go past 100 up to the ceiling of 200
    PretrainNet clip = new PretrainNet(PretrainMethod.CLIP, ModelConfig.tiny(20));
    Init.initialize(clip, nd, clip.inputShapes(2));
    var p = clip.getParameters().get("log_scale_text");
    assertThat(p.requiresGradient()).isTrue();
    NDList clipIn =
        new NDList(
            nd.randomNormal(new Shape(2, 1, 64, 40)),
            nd.zeros(new Shape(2, 96), DataType.INT64),
            nd.ones(new Shape(2, 96)));
    p.getArray().set(new float[] {(float) Math.log(150)});
    assertThat(clip.forward(ps, clipIn, false).get(2).getFloat()).isCloseTo(150f, within(1e-2f));
    p.getArray().set(new float[] {(float) Math.log(1000)});
    assertThat(clip.forward(ps, clipIn, false).get(2).getFloat())
        .isCloseTo(PretrainNet.MAX_SCALE, within(1e-2f));
  }

  @Test
  void shouldValidateBuilders() {
    assertThatThrownBy(() -> ResNetEncoder.builder().build()).hasMessageContaining("setDepth");
    assertThatThrownBy(() -> ResNetEncoder.builder().setDepth(50))
        .hasMessageContaining("10, 18 or 34");
    assertThatThrownBy(() -> MultiHeadAttention.builder().setDim(10).setHeads(3).build())
        .hasMessageContaining("not divisible");
    assertThatThrownBy(() -> MultiHeadAttention.builder().setHeads(2).build())
        .hasMessageContaining("setDim");
    assertThatThrownBy(() -> TransformerBlock.builder().setDim(10).setHeads(3).build())
        .hasMessageContaining("divisible");
    assertThatThrownBy(() -> TransformerBlock.builder().setDim(8).setHeads(2).optMlpDim(-1).build())
        .hasMessageContaining("mlpDim");
    assertThat(TransformerBlock.builder().setDim(8).setHeads(2).build().mlpDim()).isEqualTo(32);
    assertThatThrownBy(() -> ImageTower.builder().setEmbeddingDim(8).build())
        .hasMessageContaining("setEncoder");
    assertThatThrownBy(() -> PretrainMethod.parse("simclr"))
        .hasMessageContaining("clip, mvclip, glam or mama");
    assertThat(PretrainMethod.parse("MaMA")).isEqualTo(PretrainMethod.MAMA);
    assertThat(PretrainMethod.parse("MV-CLIP")).isEqualTo(PretrainMethod.MVCLIP);
  }
}
