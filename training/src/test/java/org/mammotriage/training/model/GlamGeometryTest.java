package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GLAM's column pairing and super-patch grid: the geometry the local loss depends on. */
class GlamGeometryTest {
  private NDManager nd;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    Engine.getInstance().setRandomSeed(5);
    nd = NDManager.newBaseManager();
    ps = new ParameterStore(nd, false);
  }

  @AfterEach
  void close() {
    nd.close();
  }

  @Test
  void shouldPairEachSuperPatchWithTheWholeColumnAtTheSameChestWallDistance() {
    // 3x3 grid, index = row * 3 + column; column = distance from the chest wall (left)
    assertThat(ColumnPairing.slice(5, 3)).containsExactly(2, 5, 8);
    assertThat(ColumnPairing.slice(0, 3)).containsExactly(0, 3, 6);
    assertThat(ColumnPairing.pairs(1, 7, 3)).isTrue();
    assertThat(ColumnPairing.pairs(1, 2, 3)).isFalse();
    float[] mask = ColumnPairing.additiveMask(3);
    for (int q = 0; q < 9; q++) {
      int open = 0;
      for (int k = 0; k < 9; k++) {
        boolean sameColumn = q % 3 == k % 3;
        assertThat(mask[q * 9 + k]).isEqualTo(sameColumn ? 0f : ColumnPairing.BLOCKED);
        open += sameColumn ? 1 : 0;
      }
      assertThat(open).isEqualTo(3);
    }
  }

  @Test
  void shouldLetACcSuperPatchSeeOnlyTheMloColumnAtItsOwnDistance() {
    // given: a 2x2 grid head and random super-patches of both views
    GlamLocalHead head = GlamLocalHead.builder().setGrid(2).setDim(8).setHeads(2).build();
    Init.initialize(head, nd, new Shape(1, 4, 4, 4), new Shape(1, 4, 4, 4));
    NDArray qCc = nd.randomNormal(new Shape(1, 4, 8));
    NDArray qMlo = nd.randomNormal(new Shape(1, 4, 8));
    NDArray before = head.attend(ps, qCc, qMlo);
    // when: the MLO super-patch at row 1, column 1 (index 3) changes
    NDArray changed = qMlo.duplicate();
    changed.set(new NDIndex("0, 3, :"), nd.randomNormal(new Shape(8)).mul(5));
    NDArray after = head.attend(ps, qCc, changed);
    // then: CC super-patches in column 0 (indices 0, 2) are untouched, those in column 1 (1, 3)
    // move
    NDArray diff = after.sub(before).abs().max(new int[] {2}).get(0);
    assertThat(diff.getFloat(0)).isCloseTo(0f, within(1e-6f));
    assertThat(diff.getFloat(2)).isCloseTo(0f, within(1e-6f));
    assertThat(diff.getFloat(1)).isGreaterThan(1e-3f);
    assertThat(diff.getFloat(3)).isGreaterThan(1e-3f);
  }

  @Test
  void shouldPoolEachGridRegionOnlyFromItsOwnCells() {
    // given: a 4x6 feature map on a 2x2 grid: region (0,1) is rows 0-1, columns 3-5
    SuperPatchPooling pool = SuperPatchPooling.builder().setGrid(2).setDim(8).build();
    Init.initialize(pool, nd, new Shape(1, 3, 4, 6));
    assertThat(SuperPatchPooling.region(1, 3, 4, 6, 2)).isEqualTo(1);
    assertThat(SuperPatchPooling.region(2, 2, 4, 6, 2)).isEqualTo(2);
    NDArray fm = nd.randomNormal(new Shape(1, 3, 4, 6));
    NDArray before = pool.forward(ps, new NDList(fm), false).singletonOrThrow();
    // when: one cell of region 1 changes
    NDArray changed = fm.duplicate();
    changed.set(new NDIndex("0, :, 1, 4"), nd.create(new float[] {4, -4, 4}));
    NDArray after = pool.forward(ps, new NDList(changed), false).singletonOrThrow();
    // then
    NDArray diff = after.sub(before).abs().max(new int[] {2}).get(0);
    assertThat(diff.getFloat(1)).isGreaterThan(1e-3f);
    assertThat(new float[] {diff.getFloat(0), diff.getFloat(2), diff.getFloat(3)}).containsOnly(0f);
  }
}
