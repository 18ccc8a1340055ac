package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bin labels of the drift report's histograms: plain decimals, never an exponent. */
class DriftReportTest {
  @Test
  void shouldLabelBinEdgesAsPlainDecimalsWithTwoSignificantDigits() {
    assertThat(DriftReport.edgeLabel(3.332585879373782e-19)).isEqualTo("0");
    assertThat(DriftReport.edgeLabel(0)).isEqualTo("0");
    assertThat(DriftReport.edgeLabel(6.791065653089338e-05)).isEqualTo("0.000068");
    assertThat(DriftReport.edgeLabel(0.0013979196096558023)).isEqualTo("0.0014");
    assertThat(DriftReport.edgeLabel(0.9360458311556028)).isEqualTo("0.94");
    assertThat(DriftReport.edgeLabel(4.680229155778014)).isEqualTo("4.7");
    assertThat(DriftReport.edgeLabel(0.5)).isEqualTo("0.5");
    assertThat(DriftReport.edgeLabel(-0.25)).isEqualTo("-0.25");
  }
}
