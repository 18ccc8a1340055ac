package org.mammotriage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScoringBenchTest {
  @Test
  void boundIsTheRateTheCoresAllowOverTheBareRate() {
    // 2 cores, 14 ms model + 20 ms preparation CPU per exam: at most 2000 / 34 = 58.8 exams/s
    assertEquals(58.82 / 147.0, ScoringBench.ratioBound(2, 14, 20, 147), 1e-3);
    // a model of 200 ms CPU per exam hides the same preparation: 2000 / 220 = 9.09 of 9.7 exams/s
    assertEquals(9.091 / 9.7, ScoringBench.ratioBound(2, 200, 20, 9.7), 1e-3);
  }

  @Test
  void boundNeverExceedsOne() {
    // a bare loop that leaves cores idle (model CPU 5 ms at 50 exams/s on 2 cores) is no limit
    assertEquals(1.0, ScoringBench.ratioBound(2, 5, 10, 50), 0);
  }
}
