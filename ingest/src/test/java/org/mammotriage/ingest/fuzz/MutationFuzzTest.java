package org.mammotriage.ingest.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.testing.Pipelines;
import org.mammotriage.ingest.testing.TestImages;

/**
 * The seeded mutation fuzzer in the test suite: a few hundred cases through the real pipeline (the
 * import path; the SCP hands every instance to the same pipeline). Longer runs: {@code ./run bench
 * fuzz --cases N}.
 */
class MutationFuzzTest {
  static final long SEED = 18;
  static final int CASES = 320;

  @TempDir Path dir;

  static List<byte[]> seeds(Path dir) throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    TestImages[] kinds = {
      TestImages.mammogram(),
      TestImages.mammogram().bits(8).voi("window"),
      TestImages.mammogram().bits(16).signed(true).monochrome1(true),
      TestImages.mammogram().voi("lut").laterality("R").view("MLO")
    };
    for (int i = 0; i < kinds.length; i++) {
      Path f =
          kinds[i].write(dir.resolve("seed" + i + ".dcm"), TransferSyntax.ExplicitVRLittleEndian);
      seeds.add(Files.readAllBytes(f));
    }
    return seeds;
  }

  @Test
  void shouldGiveEveryMutatedInputAStatusAndEveryRejectionOneBoundedDlqRecord() throws Exception {
    // given
    List<byte[]> seeds = seeds(dir);

    // when
    FuzzRun.Report r =
        FuzzRun.run(
            SEED,
            CASES,
            seeds,
            dir.resolve("cases"),
            Pipelines::withoutDuplicateCheck,
            Duration.ofSeconds(60));
    System.out.println(r.summary());

    // then
    assertThat(r.violations()).isEmpty();
    assertThat(r.outcomes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CASES);
    assertThat(r.outcomes().keySet()).anyMatch(k -> k.startsWith("REJECTED"));
    assertThat(r.outcomes().keySet()).noneMatch(k -> k.startsWith("TRANSIENT"));
  }

  @Test
  void shouldMakeTheSameCasesFromTheSameSeed() throws Exception {
    List<byte[]> seeds = seeds(dir);
    MutationFuzzer a = new MutationFuzzer(7, seeds);
    MutationFuzzer b = new MutationFuzzer(7, seeds);
    for (int i = 0; i < 40; i++) {
      assertThat(a.next().bytes()).isEqualTo(b.next().bytes());
    }
  }
}
