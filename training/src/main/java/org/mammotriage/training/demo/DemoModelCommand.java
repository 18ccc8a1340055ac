package org.mammotriage.training.demo;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mammotriage.evaluation.exam.EvalCommandSummary;
import org.mammotriage.training.heads.ExamModelStores;
import org.mammotriage.training.heads.HeadsTrainer;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.pretrain.ArchitectureOptions;
import org.mammotriage.training.pretrain.Pretrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run train demo-model}: the synthetic demo model, end to end. */
@Command(
    name = "demo-model",
    mixinStandardHelpOptions = true,
    description =
        "Build the demonstration model from scratch on this machine: synthetic archive →"
            + " pretraining → heads → evaluation → ONNX export into models/demo-synthetic. Trained"
            + " on synthetic phantoms: NOT for clinical use.")
public final class DemoModelCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DemoModelCommand.class);

  @Option(names = "--out", defaultValue = "models/demo-synthetic", description = "Model directory.")
  Path out;

  @Option(
      names = "--work",
      defaultValue = "target/demo-model-work",
      description = "Scratch folder (archive, checkpoints, trained DJL model).")
  Path work;

  @Option(names = "--patients", defaultValue = "600", description = "Synthetic patients.")
  int patients;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of archive and training.")
  long seed;

  @Option(
      names = "--synth-scale",
      defaultValue = "0.25",
      description =
          "Synthetic detector size relative to a real one (the working image stays 1520×912).")
  double synthScale;

  @Option(
      names = "--malignant-share",
      defaultValue = "0.2",
      description = "Share of exams with a cancer (enriched so val/test hold enough cancers).")
  double malignantShare;

  @Option(names = "--pretrain-steps", defaultValue = "400", description = "Pretraining steps.")
  int pretrainSteps;

  @Option(
      names = "--pretrain-method",
      defaultValue = "mvclip",
      description = "clip, mvclip, glam or mama.")
  String method;

  @Option(names = "--batch", defaultValue = "16", description = "Breasts per pretraining batch.")
  int batch;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak pretraining learning rate.")
  float lr;

  @Option(
      names = "--fine-tune-steps",
      defaultValue = "600",
      description = "Supervised fine-tuning steps of the encoder on view labels (0 = frozen).")
  int fineTuneSteps;

  @Mixin ArchitectureOptions arch;

  @Option(names = "--head-epochs", defaultValue = "60", description = "Epochs of head training.")
  int headEpochs;

  @Override
  public Integer call() throws Exception {
    DemoModelPipeline.Options o =
        new DemoModelPipeline.Options(
            patients,
            seed,
            synthScale,
            new HeadsTrainer.Options(headEpochs, 32, 1e-3f, 1e-4f, seed),
            64,
            2,
            16,
            "mammotriage-demo-synthetic",
            "0.1.0",
            malignantShare);
    EncoderStep step =
        PretrainEncoderStep.of(
            new Pretrainer.Options(
                PretrainMethod.parse(method),
                arch.config(),
                batch,
                pretrainSteps,
                lr,
                0.05f,
                Math.max(1, pretrainSteps / 10),
                0.8,
                50,
                seed,
                true,
                null));
    DemoModelPipeline.Result r =
        new DemoModelPipeline(step, ExamModelStores.standard())
            .withFineTuning(
                fineTuneSteps > 0
                    ? new org.mammotriage.training.pretrain.FineTuner.Options(
                        fineTuneSteps, 32, 3e-4f, 1e-4f, 50, seed)
                    : null)
            .run(o, work, out, LOG::info);
    System.out.println(EvalCommandSummary.line(r.evaluation()));
    System.out.println("parity max |ONNX - DJL|: " + r.export().parity());
    System.out.println("seconds per step: " + r.seconds());
    System.out.println("model directory: " + r.modelDir().toAbsolutePath());
    return 0;
  }
}
