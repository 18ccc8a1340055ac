package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InputBlockPoolTest {

  @Test
  void shouldReuseBlocksOfTheAskedShapeUpToItsBound() {
    // given
    InputBlockPool pool = new InputBlockPool(2);
    InputBlockPool.Block a = pool.take(10, 6, 4);
    InputBlockPool.Block b = pool.take(10, 6, 4);
    InputBlockPool.Block c = pool.take(10, 6, 4);
    // when: three given back to a pool of two
    pool.give(a);
    pool.give(b);
    pool.give(c);
    // then
    assertThat(pool.pooled()).isEqualTo(2);
    assertThat(pool.take(10, 6, 4)).isSameAs(a);
    assertThat(pool.take(10, 6, 4)).isSameAs(b);
    assertThat(pool.take(10, 6, 4)).isNotSameAs(a).isNotSameAs(b).isNotSameAs(c);
  }

  @Test
  void shouldSizeBlocksForTheirExamsAndPlaceEachSlot() {
    InputBlockPool.Block b = new InputBlockPool(1).take(10, 6, 3);
    assertThat(b.views.isDirect()).isTrue();
    assertThat(b.views.capacity()).isEqualTo(3 * 4 * 10 * 6);
    assertThat(b.present.capacity()).isEqualTo(3 * 4);
    assertThat(b.offset(0, 0)).isZero();
    assertThat(b.offset(0, 3)).isEqualTo(3 * 60);
    assertThat(b.offset(2, 1)).isEqualTo((2 * 4 + 1) * 60);
  }

  @Test
  void shouldKeepOtherBatchSizesOfTheSameModelAndDropOtherInputSizes() {
    // given: a one-exam block of this model and a block of a model with another input size
    InputBlockPool pool = new InputBlockPool(8);
    InputBlockPool.Block single = pool.take(10, 6, 1);
    pool.give(single);
    pool.give(new InputBlockPool.Block(20, 12, 4));
    // when: a four-exam block of this model is asked for
    InputBlockPool.Block got = pool.take(10, 6, 4);
    // then: a new one; the one-exam block stays pooled, the other model's is gone
    assertThat(got.capacity).isEqualTo(4);
    assertThat(pool.pooled()).isEqualTo(1);
    assertThat(pool.take(10, 6, 1)).isSameAs(single);
  }
}
