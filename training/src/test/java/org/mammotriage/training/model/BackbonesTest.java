package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The EfficientNet and ViT backbones: layout, shapes, config JSON, refusals. */
class BackbonesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private NDManager nd;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    Engine.getInstance().setRandomSeed(4);
    nd = NDManager.newBaseManager();
    ps = new ParameterStore(nd, false);
  }

  @AfterEach
  void close() {
    nd.close();
  }

  @Test
  void shouldScaleTheB0LayoutAndDownsampleByThirtyTwo() {
    // given B0 widths halved (stem 16) and one block per stage, at the default 256x160 input
    EfficientNetEncoder enc =
        EfficientNetEncoder.builder().optWidthMultiplier(0.5).optDepthMultiplier(0.25).build();

    // then: 3 stem layers, 7 MBConv blocks, 3 head layers; output 640 channels at 8x5
    List<Block> layers = enc.layers();
    assertThat(layers).hasSize(13);
    assertThat(layers.stream().filter(MbConv.class::isInstance)).hasSize(7);
    assertThat(enc.outputChannels()).isEqualTo(640);
    assertThat(enc.getOutputShapes(new Shape[] {new Shape(2, 1, 256, 160)})[0])
        .isEqualTo(new Shape(2, 640, 8, 5));
    // the reference round_filters: nearest multiple of 8, never more than 10 % below
    assertThat(EfficientNetEncoder.channels(32, 1.0)).isEqualTo(32);
    assertThat(EfficientNetEncoder.channels(40, 0.25)).isEqualTo(16);
    assertThat(EfficientNetEncoder.channels(16, 0.25)).isEqualTo(8);
    assertThat(EfficientNetEncoder.channels(1280, 1.1)).isEqualTo(1408);
    // B0's 16 blocks at depth 1.0
    assertThat(
            EfficientNetEncoder.builder().build().layers().stream()
                .filter(MbConv.class::isInstance))
        .hasSize(16);
  }

  @Test
  void shouldAddTheInputOnlyWhereStrideAndChannelsAllowIt() {
    assertThat(new MbConv(16, 16, 6, 3, 1).residual()).isTrue();
    assertThat(new MbConv(16, 16, 6, 3, 2).residual()).isFalse();
    assertThat(new MbConv(16, 24, 6, 5, 1).residual()).isFalse();
    // expansion 1 has no expansion conv
    assertThat(new MbConv(16, 16, 1, 3, 1).layers()).hasSize(6);
    assertThat(new MbConv(16, 16, 6, 3, 1).layers()).hasSize(9);
  }

  @Test
  void shouldScaleChannelsBySqueezeExcitationAndComputeSilu() {
    // given an SE block whose convs are all zero: every channel is scaled by sigmoid(0) = 0.5
    SqueezeExcitation se = new SqueezeExcitation(3, 1);
    se.initialize(nd, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 2, 2));
    se.getParameters().values().forEach(p -> p.getArray().muli(0));
    NDArray x = nd.arange(0f, 12f).reshape(1, 3, 2, 2);

    // when
    NDArray y = se.forward(ps, new NDList(x), false).singletonOrThrow();

    // then
    assertThat(y.toFloatArray()).containsExactly(x.mul(0.5f).toFloatArray());
    assertThat(Silu.silu(nd.create(new float[] {-1f, 0f, 2f})).toFloatArray())
        .containsExactly(
            new float[] {(float) (-1 / (1 + Math.E)), 0f, (float) (2 / (1 + Math.exp(-2)))},
            within(1e-6f));
  }

  @Test
  void shouldPadToWholePatchesPrependClsAndPoolUnitEmbeddingsAtAnyInputSize() {
    // given a ViT built for 64x40 with patch 8 (8x5 patches)
    ModelConfig cfg =
        ModelConfig.tiny(20)
            .withTokenLayers(0)
            .withBackbone(BackboneConfig.vit(8, 16, 1, VitEncoder.Pooling.CLS));
    ImageTower tower = Init.initialize(cfg.imageTower(), nd, new Shape(2, 1, 64, 40));
    VitEncoder vit = (VitEncoder) tower.encoder();

    // then
    assertThat(tower.pooling()).isNull();
    assertThat(vit.position().getArray().getShape()).isEqualTo(new Shape(1, 41, 16));
    assertThat(vit.clsToken().getArray().getShape()).isEqualTo(new Shape(1, 1, 16));
    for (long[] hw : new long[][] {{64, 40}, {70, 45}, {48, 32}}) {
      NDList out =
          tower.forward(ps, new NDList(nd.randomNormal(new Shape(2, 1, hw[0], hw[1]))), false);
      Shape want = new Shape(2, 16, (hw[0] + 7) / 8, (hw[1] + 7) / 8);
      assertThat(out.get(1).getShape()).as("%dx%d", hw[0], hw[1]).isEqualTo(want);
      assertThat(tower.getOutputShapes(new Shape[] {new Shape(2, 1, hw[0], hw[1])})[1])
          .isEqualTo(want);
      assertThat(out.get(0).square().sum(new int[] {1}).toFloatArray())
          .containsExactly(new float[] {1f, 1f}, within(1e-4f));
    }
  }

  @Test
  void shouldResizeAGridBilinearlyAndKeepItWhenTheSizeIsTheSame() {
    // given a 2x2 grid
    NDArray grid = nd.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));

    // then: 2x2 -> 4x4 with half-pixel centres (sources -0.25→0, 0.25, 0.75, 1.25→1)
    float[] r = VitEncoder.resizeBilinear(grid, 4, 4).toFloatArray();
    assertThat(java.util.Arrays.copyOfRange(r, 0, 4))
        .containsExactly(new float[] {0f, 0.25f, 0.75f, 1f}, within(1e-6f));
    assertThat(java.util.Arrays.copyOfRange(r, 12, 16))
        .containsExactly(new float[] {2f, 2.25f, 2.75f, 3f}, within(1e-6f));
    assertThat(VitEncoder.resizeBilinear(grid, 2, 2).toFloatArray())
        .containsExactly(0f, 1f, 2f, 3f);
  }

  @Test
  void shouldWriteResNetConfigsAsBeforeAndRoundTripTheOthers() throws Exception {
    // a ResNet config has no backbone key, so model folders written before read the same
    ModelConfig resnet = ModelConfig.tiny(20);
    JsonNode j = JSON.valueToTree(resnet);
    assertThat(j.has("backbone")).isFalse();
    assertThat(JSON.treeToValue(j, ModelConfig.class)).isEqualTo(resnet);
    assertThat(resnet.backboneType()).isEqualTo("resnet");
    assertThat(resnet.imageTower().encoder()).isInstanceOf(ResNetEncoder.class);
    for (BackboneConfig b :
        List.of(
            BackboneConfig.efficientNet(0.5),
            BackboneConfig.vit(16, 32, 2, VitEncoder.Pooling.MEAN))) {
      ModelConfig c = resnet.withTokenLayers(0).withBackbone(b);
      ModelConfig back = JSON.treeToValue(JSON.valueToTree(c), ModelConfig.class);
      assertThat(back).isEqualTo(c);
      assertThat(back.imageTower().encoder().getClass())
          .isEqualTo(c.imageTower().encoder().getClass());
    }
  }

  @Test
  void shouldRefuseAVitWithTokenLayersOrIndivisibleHeadsAndUnknownBackbones() {
    ModelConfig tiny = ModelConfig.tiny(20);
    BackboneConfig vit = BackboneConfig.vit(8, 16, 1, VitEncoder.Pooling.CLS);
    assertThatThrownBy(() -> tiny.withBackbone(vit)).hasMessageContaining("token layers must be 0");
    assertThatThrownBy(
            () ->
                tiny.withTokenLayers(0)
                    .withBackbone(BackboneConfig.vit(8, 15, 1, VitEncoder.Pooling.CLS)))
        .hasMessageContaining("not divisible by 2 heads");
    assertThatThrownBy(() -> new BackboneConfig("densenet", 1, 0, 0, 0, null))
        .hasMessageContaining("efficientnet or vit");
    assertThatThrownBy(() -> VitEncoder.builder().setPatchSize(16).setImageSize(8, 8).build())
        .hasMessageContaining("setImageSize");
    assertThatThrownBy(() -> EfficientNetEncoder.builder().optDepthMultiplier(0).build())
        .hasMessageContaining("> 0");
  }
}
