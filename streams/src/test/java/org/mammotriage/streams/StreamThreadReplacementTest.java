package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadReplacementTest {
  long now = 0;
  final List<Duration> waits = new ArrayList<>();
  final StreamThreadReplacement handler =
      new StreamThreadReplacement(
          Duration.ofMillis(500),
          Duration.ofSeconds(15),
          Duration.ofMinutes(2),
          () -> now,
          waits::add);

  @Test
  void shouldReplaceTheThreadAfterABackoffThatDoublesUpToTheCap() {
    // when: seven failures in a row, a second apart
    for (int i = 0; i < 7; i++) {
      assertThat(handler.handle(new IllegalStateException("scorer closed")))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
      now += Duration.ofSeconds(1).toNanos();
    }

    // then
    assertThat(waits)
        .extracting(Duration::toMillis)
        .containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 15_000L, 15_000L);
  }

  @Test
  void shouldStartAgainFromTheFirstDelayAfterAQuietPeriod() {
    handler.handle(new IllegalStateException("a"));
    handler.handle(new IllegalStateException("b"));
    now += Duration.ofMinutes(3).toNanos();

    handler.handle(new IllegalStateException("c"));

    assertThat(waits).extracting(Duration::toMillis).containsExactly(500L, 1_000L, 500L);
  }

  @Test
  void shouldStillReplaceAndKeepTheInterruptWhenTheWaitIsInterrupted() {
    StreamThreadReplacement interrupted =
        new StreamThreadReplacement(
            Duration.ofMillis(500),
            Duration.ofSeconds(15),
            Duration.ofMinutes(2),
            () -> now,
            d -> {
              throw new InterruptedException();
            });
    try {
      assertThat(interrupted.handle(new IllegalStateException("x")))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void shouldNeverOverflowTheDelay() {
    assertThat(handler.delay(1_000)).isEqualTo(Duration.ofSeconds(15));
  }
}
