package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImagePoolTest {

  @Test
  void shouldReuseArraysOfTheAskedSizeUpToItsBound() {
    // given
    ImagePool pool = new ImagePool(2);
    float[] a = pool.take(10);
    float[] b = pool.take(10);
    float[] c = pool.take(10);
    // when: three given back to a pool of two
    pool.give(a);
    pool.give(b);
    pool.give(c);
    // then
    assertThat(pool.pooled()).isEqualTo(2);
    assertThat(pool.take(10)).isSameAs(b);
    assertThat(pool.take(10)).isSameAs(a);
    float[] fresh = pool.take(10);
    assertThat(fresh).isNotSameAs(a).isNotSameAs(b).isNotSameAs(c);
  }

  @Test
  void shouldDropArraysOfAnotherSize() {
    // given: arrays from a model with another input size
    ImagePool pool = new ImagePool(8);
    pool.give(new float[6]);
    pool.give(new float[6]);
    // when
    float[] got = pool.take(12);
    // then
    assertThat(got).hasSize(12);
    assertThat(pool.pooled()).isZero();
  }
}
