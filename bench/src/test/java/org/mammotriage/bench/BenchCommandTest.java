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
  void shouldRefuseACompareWithoutTheStreamAloneAndRunsBelowOne() {
    for (String[] args :
        new String[][] {
          {"streams", "--compare", "streams.num.threads=2"},
          {"streams", "--alone", "--reps", "0"}
        }) {
      StringWriter err = new StringWriter();
      CommandLine cmd = new CommandLine(new BenchCommand());
      cmd.setErr(new PrintWriter(err));

      int rc = cmd.execute(args);

      assertThat(rc).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).containsAnyOf("--compare needs --alone", "--reps must be");
    }
  }
}
