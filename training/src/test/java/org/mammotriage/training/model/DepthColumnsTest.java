package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** GLAM's columns as depth bins in millimetres, with the pectoral muscle left out. */
class DepthColumnsTest {
  private static final float B = ColumnPairing.BLOCKED;

  @Test
  void shouldWeightEachCellByTheShareOfItsWidthInsideTheDepthBin() {
    // 1 row of 4 feature columns of 10 mm each; 2x2 grid over D = 25 mm: bins [0, 12.5), [12.5, 25)
    // row band 0 holds the single row (grid rows: y·2/1 = 0); row band 1 holds none
    float[] m = DepthColumns.mask(1, 4, 2, new DepthColumns.View(10, null), 25);
    // region 0 (row 0, bin 0): cell 0 whole, cell 1 [10, 20) overlaps 2.5 mm → .25
    assertThat(m[0]).isCloseTo(0f, within(1e-6f));
    assertThat(m[1]).isCloseTo((float) Math.log(0.25), within(1e-6f));
    assertThat(m[2]).isEqualTo(B);
    assertThat(m[3]).isEqualTo(B);
    // region 1 (row 0, bin 1): cell 1 .75, cell 2 [20, 30) overlaps 5 mm → .5, cell 3 beyond D
    assertThat(m[4]).isEqualTo(B);
    assertThat(m[5]).isCloseTo((float) Math.log(0.75), within(1e-6f));
    assertThat(m[6]).isCloseTo((float) Math.log(0.5), within(1e-6f));
    assertThat(m[7]).isEqualTo(B);
  }

  @Test
  void shouldPutTheSameDepthInTheSameColumnWhateverEachViewsScale() {
    // CC at 8 mm per column, MLO at 12 mm per column (the taller MLO crop is scaled down more); a
    // finding 30 mm from the chest wall sits in CC column 3 and MLO column 2: with D = 48 mm and 4
    // bins of 12 mm both land in bin 2 ([24, 36))
    int grid = 4;
    float[] cc = DepthColumns.mask(4, 8, grid, new DepthColumns.View(8, null), 48);
    float[] mlo = DepthColumns.mask(4, 8, grid, new DepthColumns.View(12, null), 48);
    int n = 4 * 8;
    int region = 0 * grid + 2; // top row band, bin 2
    assertThat(cc[region * n + 3]).isGreaterThan(B); // CC cell (0, 3): [24, 32)
    assertThat(mlo[region * n + 2]).isGreaterThan(B); // MLO cell (0, 2): [24, 36)
    assertThat(cc[(0 * grid + 3) * n + 3]).isEqualTo(B);
    assertThat(mlo[(0 * grid + 1) * n + 2]).isEqualTo(B);
  }

  @Test
  void shouldLeaveThePectoralMuscleOutAndFallBackWhenARegionIsAllMuscle() {
    // 2 rows × 2 columns, grid 2, equal columns (unknown spacing): one cell per region
    float[] pectoral = {1f, 0.5f, 0f, 0f}; // top-left all muscle, top-right half
    float[] m = DepthColumns.mask(2, 2, 2, new DepthColumns.View(Double.NaN, pectoral), Double.NaN);
    // region 1 (top-right) keeps its cell at weight .5
    assertThat(m[1 * 4 + 1]).isCloseTo((float) Math.log(0.5), within(1e-6f));
    // region 0 is all muscle: it falls back to its plain cell rather than vanish
    assertThat(m[0]).isCloseTo(0f, within(1e-6f));
    assertThat(m[1]).isEqualTo(B);
  }

  @Test
  void shouldReproduceTheEqualGridWithoutGeometry() {
    float[] plain = SuperPatchPooling.regionMask(4, 6, 2);
    float[] m = DepthColumns.mask(4, 6, 2, DepthColumns.View.unknown(), Double.NaN);
    assertThat(m).containsExactly(plain);
  }
}
