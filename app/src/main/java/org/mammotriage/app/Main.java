package org.mammotriage.app;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mammotriage} executable: one runtime with subcommands. */
@Command(
    name = "mammotriage",
    mixinStandardHelpOptions = true,
    version = "mammotriage 0.1.0",
    description =
        "Screening mammography triage: DICOM ingest, exam assembly, ONNX scoring, priority routing.",
    subcommands = {
      BrokerCommand.class,
      DemoCommand.class,
      ReplayCommand.class,
      WatchCommand.class,
      SynthCommand.class,
      ScoreCommand.class,
      IngestCommand.class,
      ImportCommand.class,
      StreamsCommand.class,
      SchemasCommand.class,
      DriftCommand.class
    })
public final class Main implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  /** The command line with every subcommand; tests execute it in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText("error: " + Errors.describe(ex)));
          return 2;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
