package org.mammotriage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ThreadCpuTest {
  @Test
  void shouldGroupThreadsByWhatTheirNamesSay() {
    assertThat(ThreadCpu.group("streams-encode-")).isEqualTo("encode-ahead workers");
    assertThat(ThreadCpu.group("bench-alone-1b5")).isEqualTo(ThreadCpu.STREAMS);
    assertThat(ThreadCpu.group("bench-fetch-flo")).isEqualTo(ThreadCpu.BARE_CONSUMER);
    assertThat(ThreadCpu.group("kafka-coordinat")).isEqualTo(ThreadCpu.STREAMS);
    assertThat(ThreadCpu.group("data-plane-kafk")).isEqualTo(ThreadCpu.BROKER);
    assertThat(ThreadCpu.group("kafka-producer-")).isEqualTo(ThreadCpu.PRODUCER);
    assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo(ThreadCpu.JIT);
    assertThat(ThreadCpu.group("java")).startsWith("other");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void shouldChargeTheCpuOfAWindowToTheThreadThatSpentIt() throws Exception {
    ThreadCpu before = ThreadCpu.now();
    var spent = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              // spins until the thread itself has used 0.4 s of CPU (its own clock, not the wall's)
              var mx = ManagementFactory.getThreadMXBean();
              long x = 0;
              while (mx.getCurrentThreadCpuTime() < 400_000_000L) {
                x += System.identityHashCode(new Object());
              }
              if (x == 42) {
                System.out.print("");
              }
              spent.countDown();
              try {
                release.await(); // alive until read: an ended thread leaves /proc/self/task
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "streams-encode-test");
    t.start();
    spent.await();
    Map<String, Double> by = ThreadCpu.now().since(before);
    release.countDown();
    t.join();
    assertThat(by.get("encode-ahead workers")).isBetween(0.3, 2.0);
    assertThat(ThreadCpu.report(by, 1.0, 10)).contains("encode-ahead workers");
  }
}
