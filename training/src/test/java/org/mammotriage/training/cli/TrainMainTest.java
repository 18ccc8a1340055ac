package org.mammotriage.training.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TrainMainTest {
  @Test
  void shouldRefuseAnUnknownSubcommandWithUsage() {
    StringWriter err = new StringWriter();
    var cl = TrainMain.commandLine().setErr(new PrintWriter(err));
    assertThat(cl.execute("no-such-step")).isNotZero();
    assertThat(err.toString()).contains("no-such-step");
  }
}
