package org.mammotriage.training.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.contract.domain.ValidatedDomain;

/**
 * Calibrating a model that already has a drift reference moves the reference's suspicion histogram
 * into the calibrated space (the stream reports calibrated suspicion): a raw value falls in the
 * same bin of the old edges as its calibrated value in the new ones.
 */
class CalibratedDriftReferenceTest {
  private static ValidatedDomain domain(DriftReference.Histogram sus) {
    DriftReference ref =
        new DriftReference(
            Map.of(
                DriftReference.SUSPICION,
                sus,
                DriftReference.IMAGE_MEAN,
                new DriftReference.Histogram(new double[] {0, 0.5, 1}, new long[] {3, 4})),
            Map.of("suspicious", 0.5),
            "val");
    return new ValidatedDomain(
        List.of(), List.of(), List.of(), null, null, null, null, null, null, ref, "test");
  }

  @Test
  void shouldMoveTheSuspicionEdgesThroughTheCalibrationAndKeepTheCounts() {
    double[] edges = {0, 0.2, 0.4, 0.6, 0.8, 1};
    long[] counts = {1, 5, 9, 3, 2};
    Calibration platt = Calibration.platt(2.5, -2.2, "val", "cv");
    ValidatedDomain out =
        ModelCalibration.withCalibratedSuspicion(
            domain(new DriftReference.Histogram(edges, counts)), null, platt);
    DriftReference.Histogram h = out.reference().histograms().get(DriftReference.SUSPICION);
    assertThat(h.counts()).containsExactly(counts);
    for (double raw : new double[] {0.01, 0.19, 0.21, 0.5, 0.79, 0.95}) {
      int before = new DriftReference.Histogram(edges, counts).bin(raw);
      assertThat(h.bin(platt.apply(raw))).as("raw %s", raw).isEqualTo(before);
    }
    assertThat(out.reference().histograms().get(DriftReference.IMAGE_MEAN).edges())
        .containsExactly(0, 0.5, 1);
  }

  @Test
  void shouldLeaveAReferenceAlreadyInACalibratedSpaceAsItIs() {
    ValidatedDomain d =
        domain(new DriftReference.Histogram(new double[] {0, 0.5, 1}, new long[] {2, 2}));
    Calibration platt = Calibration.platt(2.5, -2.2, "val", "cv");
    assertThat(ModelCalibration.withCalibratedSuspicion(d, platt, platt)).isSameAs(d);
  }
}
