package org.mammotriage.training.export;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run train convert-v2 --model V1_DIR --out DIR}: a contract-1 model directory as a
 * contract-2 one with the same weights ({@link ContractTwoConversion}).
 */
@Command(
    name = "convert-v2",
    mixinStandardHelpOptions = true,
    description =
        "Turn a contract-1 model directory (exam_scorer.onnx) exported by this module into a"
            + " contract-2 one (image_encoder.onnx + exam_head.onnx) with the same weights, by"
            + " graph surgery; fails if the two differ by more than 1e-4 on seeded random exams.")
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Contract-1 model directory.")
  Path model;

  @Option(names = "--out", required = true, description = "Contract-2 model directory to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    ContractTwoConversion.Result r = ContractTwoConversion.convert(model, out);
    System.out.println("wrote " + r.dir() + "; max |contract 2 - contract 1|: " + r.maxAbsDiff());
    return 0;
  }
}
