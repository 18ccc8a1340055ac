package org.mammotriage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
  @Test
  void shouldReadTheSettingsToCompareAsKeyValuePairs() {
    BenchCommand c = new BenchCommand();
    new CommandLine(c)
        .parseArgs(
            "streams",
            "--alone",
            "--reps",
            "9",
            "--compare",
            "streams.num.threads=2,kafka.main.consumer.fetch.max.bytes=33554432");

    assertThat(c.compare)
        .containsExactly(
            Map.entry("streams.num.threads", "2"),
            Map.entry("kafka.main.consumer.fetch.max.bytes", "33554432"));
    assertThat(c.reps).isEqualTo(9);
    assertThat(StreamsBench.otherLabel(c.compare))
        .isEqualTo(
            "compared (kafka.main.consumer.fetch.max.bytes=33554432, streams.num.threads=2)");
    assertThat(StreamsBench.otherLabel(Map.of())).isEqualTo("image store");
  }

  @Test
  void shouldRefuseACompareWithoutTheStreamAloneAndRunsBelowOneAndWriteNoReport(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String out = dir.resolve("reports").toString();
    for (String[] args :
        new String[][] {
          {"streams", "--compare", "streams.num.threads=2", "--report-dir", out},
          {"streams", "--alone", "--reps", "0", "--report-dir", out}
        }) {
      StringWriter err = new StringWriter();
      CommandLine cmd = new CommandLine(new BenchCommand());
      cmd.setErr(new PrintWriter(err));

      int rc = cmd.execute(args);

      assertThat(rc).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).containsAnyOf("--compare needs --alone", "--reps must be");
    }
    try (var files = java.nio.file.Files.list(dir.resolve("reports"))) {
      assertThat(files).as("a usage error writes no report").isEmpty();
    }
  }

  @Test
  void shouldRefuseAReportFolderItCannotWriteBeforeRunningAnything(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // given: a file where the folder should be
    java.nio.file.Path notADir = java.nio.file.Files.writeString(dir.resolve("taken"), "x");
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new BenchCommand());
    cmd.setErr(new PrintWriter(err));
    // when
    int rc = cmd.execute("nosuchbench", "--report-dir", notADir.resolve("sub").toString());
    // then: a usage error naming the folder, before the bench name is even looked at
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--report-dir").contains("cannot be written");
  }
}
