package org.mammotriage.evaluation.survival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CalibrationCurveTest {
  @Test
  void shouldBinByPredictedProbabilityAndWeighTheCalibrationErrorByCount() {
    var r =
        CalibrationCurve.compute(
            new double[] {0.9, 0.1, 0.9, 0.1}, new boolean[] {true, false, false, false}, 2);

    assertThat(r.bins()).hasSize(2);
    assertThat(r.bins().get(0).meanPredicted()).isCloseTo(0.1, within(1e-12));
    assertThat(r.bins().get(0).observedRate()).isEqualTo(0.0);
    assertThat(r.bins().get(1).observedRate()).isEqualTo(0.5);
    assertThat(r.expectedCalibrationError()).isCloseTo(0.25, within(1e-12));
  }
}
