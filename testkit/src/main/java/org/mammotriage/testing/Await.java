package org.mammotriage.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition with a timeout. Tests never sleep for a fixed time. */
public final class Await {
  private Await() {}

  public static void until(
      Duration timeout, BooleanSupplier condition, Supplier<String> whatWasExpected) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "condition not met within " + timeout + ": " + whatWasExpected.get());
      }
      Thread.onSpinWait();
      try {
        // park briefly between polls: this is polling a condition, not waiting a fixed time
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
      } finally {
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting");
        }
      }
    }
  }
}
