package org.mammotriage.training.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The training CLI ({@code ./run train ...}). Subcommands are added as the training issues land.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Offline training: pretrain (CLIP, MV-CLIP, GLAM), heads, evaluation, ONNX export.")
public final class TrainMain implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TrainMain());
    cl.addSubcommand(new org.mammotriage.training.pretrain.PretrainCommand());
    cl.addSubcommand(new org.mammotriage.training.pretrain.EvalEmbeddingsCommand());
    cl.addSubcommand(new org.mammotriage.training.pretrain.ComparePretrainingCommand());
    // heads, evaluation, export and the demo model (issue 8)
    cl.addSubcommand(new org.mammotriage.training.exameval.EvalCommand());
    cl.addSubcommand(new org.mammotriage.training.export.ExportCommand());
    cl.addSubcommand(new org.mammotriage.training.export.ConvertCommand());
    cl.addSubcommand(new org.mammotriage.training.demo.DemoModelCommand());
    cl.addSubcommand(new org.mammotriage.training.domain.DomainCommand());
    cl.addSubcommand(new org.mammotriage.training.calibration.CalibrateCommand());
    // ./run bench train (issue 23)
    cl.addSubcommand(new org.mammotriage.training.benchmark.BenchTrainCommand());
    return cl;
  }

  public static void main(String[] args) {
    // PixelMed logs every DICOM read at DEBUG; keep the console to progress lines
    for (String name : new String[] {"com.pixelmed", "ai.djl"}) {
      if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(ch.qos.logback.classic.Level.WARN);
      }
    }
    System.exit(commandLine().execute(args));
  }
}
