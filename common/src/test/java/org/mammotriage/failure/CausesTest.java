package org.mammotriage.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CausesTest {
  @Test
  void shouldListTheChainInnermostFirst() {
    IOException root = new IOException("root");
    UncheckedIOException mid = new UncheckedIOException(root);
    ExecutionException top = new ExecutionException(mid);

    assertThat(Causes.rootFirst(top)).containsExactly(root, mid, top);
  }

  @Test
  void shouldEndAChainThatCyclesBackOnItself() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalArgumentException b = new IllegalArgumentException("b", a);
    a.initCause(b);

    assertThat(Causes.rootFirst(b)).containsExactly(a, b);
  }

  @Test
  void shouldFindTheInnermostFailureOfAType() {
    IOException inner = new IOException("inner");
    IOException outer = new IOException("outer", new RuntimeException(inner));

    assertThat(Causes.innermost(outer, IOException.class)).containsSame(inner);
    assertThat(Causes.innermost(outer, InterruptedException.class)).isEmpty();
  }
}
