package org.mammotriage.training.export;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mammotriage.evaluation.exam.SelectedThresholds;
import org.mammotriage.training.heads.ExamModel;
import org.mammotriage.training.heads.ExamModelStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./run train export --model DIR --out MODEL_DIR}: the model directory the stream loads. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Export a trained, evaluated exam model to ONNX (opset 17) with model.json: contract 2"
            + " (image_encoder.onnx + exam_head.onnx, the default) or 1 (exam_scorer.onnx +"
            + " image_encoder.onnx); fails if ONNX Runtime and DJL disagree by more than 1e-4.")
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Trained model directory.")
  Path model;

  @Option(names = "--out", required = true, description = "Model directory to write.")
  Path out;

  @Option(names = "--version", defaultValue = "1.0.0", description = "Model version.")
  String version;

  @Option(
      names = "--contract",
      defaultValue = "2",
      description = "Model directory contract: 2 (per-view encoder + exam head) or 1. Default 2.")
  int contract;

  @Override
  public Integer call() throws Exception {
    SelectedThresholds selected = SelectedThresholds.read(model);
    try (NDManager manager = NDManager.newBaseManager()) {
      ExamModel m = ExamModelStores.standard().load(model, manager);
      ModelCard card =
          new ModelCard(
              m.name(),
              version,
              m.intendedUse(),
              m.normMean(),
              m.normStd(),
              selected.thresholds(),
              selected.metrics());
      ModelExport.Result r =
          new ModelExport(OnnxExporter.standard()).write(m.scorer(), card, out, contract);
      System.out.println("exported " + out + "; parity max |ONNX - DJL|: " + r.parity());
      return 0;
    }
  }
}
