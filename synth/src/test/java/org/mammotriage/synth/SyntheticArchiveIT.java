package org.mammotriage.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real DICOM tools over a faulted archive: dciodvfy finds no errors, dcmdump reads what is
 * not broken.
 */
class SyntheticArchiveIT {
  @TempDir static Path dir;
  static Map<String, String[]> faults = new HashMap<>();

  @BeforeAll
  static void generate() throws Exception {
    requireTool("dciodvfy", "dicom3tools");
    requireTool("dcmdump", "dcmtk");
    SyntheticArchive.Summary s =
        SyntheticArchive.of(
                SynthOptions.defaults(12, 77).withScale(0.08).withFaults(true).withFaultShare(1.0))
            .generate(dir);
    assertThat(s.faults()).as("every fault type present").hasSize(Fault.values().length);
    for (String line :
        Files.readAllLines(dir.resolve("faults.csv"))
            .subList(1, s.faults().values().stream().mapToInt(Integer::intValue).sum() + 1)) {
      String[] f = line.split(",", -1);
      faults.put(f[0], f);
    }
  }

  private static void requireTool(String tool, String pkg) {
    assertThat(
            Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool))))
        .as("%s not found: install Debian package %s (./run bootstrap does)", tool, pkg)
        .isTrue();
  }

  private static List<Path> dicomFiles() throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out + "\nexit=" + p.exitValue();
  }

  @Test
  void shouldPassDciodvfyWithoutErrorsOnEveryFileThatIsNotAFault() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path f : dicomFiles()) {
      String[] fault = faults.get(dir.relativize(f).toString());
      boolean valid =
          fault == null
              || fault[2].equals("ACCEPT")
              || fault[2].equals("ACCEPT_EXTRA")
              || fault[2].equals("ACCEPT_DUPLICATE");
      if (!valid) {
        continue;
      }
      checked++;
      for (String line : run("dciodvfy", f.toString()).split("\n")) {
        if (line.startsWith("Error")) {
          problems.add(dir.relativize(f) + ": " + line);
        }
      }
    }
    assertThat(checked).isGreaterThan(40);
    assertThat(problems).isEmpty();
  }

  @Test
  void shouldBeReadableByDcmdumpUnlessDeliberatelyBroken() throws Exception {
    List<String> unreadable = new ArrayList<>();
    for (Path f : dicomFiles()) {
      String[] fault = faults.get(dir.relativize(f).toString());
      String out = run("dcmdump", "-q", f.toString());
      boolean ok = out.trim().endsWith("exit=0") && !out.contains("E: ");
      boolean broken = fault != null && fault[1].equals("TRUNCATED");
      if (broken) {
        assertThat(ok).as("truncated file %s should not read cleanly", f).isFalse();
      } else if (!ok) {
        unreadable.add(dir.relativize(f) + ": " + out.lines().limit(3).toList());
      }
    }
    assertThat(unreadable).isEmpty();
  }
}
