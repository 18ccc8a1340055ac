package org.mammotriage.ingest.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.testing.Pipelines;

/**
 * The mutation fuzzer through the real SCP (#18): each case sent with dcmtk's storescu over its own
 * association; a status for every file storescu sends, one bounded DLQ record for every permanent
 * failure, echoscu answers throughout. Longer runs: {@code ./run bench fuzz --through-scp --cases
 * N}.
 */
class ScpFuzzIT {
  static final int CASES = 60;

  @TempDir Path dir;

  @Test
  void shouldAnswerEveryMutatedFileSentWithStorescuAndStayUp() throws Exception {
    // when
    FuzzRun.Report r =
        FuzzRun.runThroughScp(
            MutationFuzzTest.SEED,
            CASES,
            MutationFuzzTest.seeds(dir),
            dir.resolve("cases"),
            Pipelines::withoutDuplicateCheck,
            Duration.ofSeconds(60));
    System.out.println("through the SCP: " + r.summary());

    // then
    assertThat(r.violations()).isEmpty();
    assertThat(r.outcomes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CASES);
    assertThat(r.outcomes().keySet()).anyMatch(k -> k.startsWith("SCP Success"));
    assertThat(r.outcomes().keySet())
        .anyMatch(k -> k.startsWith("SCP") && !k.startsWith("SCP Success"));
  }
}
