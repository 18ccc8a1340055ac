package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mammotriage.training.model.ConvGradientCheck.ConvShape;
import org.mammotriage.training.model.ConvGradientCheck.Fault;

/**
 * The convolution self-check: what it collects, that it passes here, and that it catches faults.
 */
class ConvGradientCheckTest {
  private static final ConvShape PLAIN = new ConvShape(8, 8, 3, 3, 1, 1, 1, 1, 1);
  private static final ConvShape STRIDED = new ConvShape(8, 16, 3, 3, 2, 2, 1, 1, 1);
  private static final ConvShape DEPTHWISE = new ConvShape(12, 12, 3, 3, 1, 1, 1, 1, 12);

  @Test
  void shouldCollectEveryDistinctConvolutionOfAResNet() {
    try (Model model = Model.newInstance("check")) {
      ResNetEncoder enc = ResNetEncoder.builder().setDepth(18).optWidth(8).build();
      model.setBlock(enc);
      enc.initialize(
          model.getNDManager(), DataType.FLOAT32, new ai.djl.ndarray.types.Shape(2, 1, 64, 40));
      Set<ConvShape> shapes = ConvGradientCheck.shapesOf(enc);
      // the stem, then per stage a 3x3 unit conv, and for stages 2-4 the strided conv and 1x1
      // shortcut
      assertThat(shapes)
          .contains(new ConvShape(1, 8, 7, 7, 2, 2, 3, 3, 1), PLAIN, STRIDED)
          .contains(new ConvShape(8, 16, 1, 1, 2, 2, 0, 0, 1))
          .contains(new ConvShape(64, 64, 3, 3, 1, 1, 1, 1, 1));
      assertThat(shapes).hasSize(11);
    }
  }

  @Test
  void shouldAgreeWithTheReferenceOnThisMachineWithTheEnginesKernels() {
    List<Fault> faults =
        ConvGradientCheck.check(
            List.of(PLAIN, STRIDED, DEPTHWISE, new ConvShape(3, 5, 1, 1, 1, 1, 0, 0, 1)),
            3,
            ConvGradientCheck.ENGINE,
            Engine.getInstance().defaultDevice(),
            7L);
    assertThat(faults).as("ONEDNN_MAX_CPU_ISA=%s", System.getenv("ONEDNN_MAX_CPU_ISA")).isEmpty();
  }

  @Test
  void shouldReportAConvolutionWhoseInputGradientIsWrong() {
    // the engine's forward, with a gradient path that drops the last input channel's gradient
    ConvGradientCheck.ConvFn broken =
        (x, w, s) -> {
          ai.djl.ndarray.NDArray keep = x.getManager().ones(x.getShape());
          keep.set(new ai.djl.ndarray.index.NDIndex(":, -1"), 0f);
          ai.djl.ndarray.NDArray stopped = x.stopGradient().mul(keep.neg().add(1f));
          return ConvGradientCheck.ENGINE.apply(x.mul(keep).add(stopped), w, s);
        };
    List<Fault> faults =
        ConvGradientCheck.check(
            List.of(PLAIN, STRIDED), 1, broken, Engine.getInstance().defaultDevice(), 7L);
    assertThat(faults).hasSize(2);
    assertThat(faults.get(0).pass()).isEqualTo("input gradient");
    assertThat(faults.get(0).relativeError()).isGreaterThan(0.1);
    assertThat(faults.get(0).toString()).startsWith("conv 8→8 3x3 stride 1: input gradient off by");
  }

  @Test
  void shouldReportNaNAsAFault() {
    assertThat(ConvGradientCheck.relativeError(new float[] {1f, Float.NaN}, new double[] {1, 2}))
        .isNaN();
    assertThat(ConvGradientCheck.relativeError(new float[] {1f, 2f}, new double[] {1, 2.001}))
        .isLessThan(ConvGradientCheck.TOLERANCE);
  }
}
