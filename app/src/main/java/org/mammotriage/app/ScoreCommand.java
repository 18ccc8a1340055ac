package org.mammotriage.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.scoring.Slot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mammotriage score}: scores one exam from files, for people trying a model by hand. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description =
        "Score one exam from a folder of working images named by slot (L_CC.png, L_MLO.png, R_CC.png, R_MLO.png).")
public final class ScoreCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "Folder with the exam's working images (8-bit PNG as ingest writes them).")
  Path dir;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL_DIR",
      description = "Model directory (model.json + ONNX files).")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto, cuda or cpu (default ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--device-required",
      description = "With --device cuda: fail instead of falling back to CPU.")
  boolean deviceRequired;

  @Override
  public Integer call() throws Exception {
    List<ExamImage> images = new ArrayList<>();
    for (Slot s : Slot.values()) {
      Path f = dir.resolve(s.name() + ".png");
      if (Files.isRegularFile(f)) {
        images.add(new ExamImage(s, Files.readAllBytes(f), f.getFileName().toString()));
      }
    }
    if (images.isEmpty()) {
      System.err.println(
          "no working images in "
              + dir
              + ": expected L_CC.png, L_MLO.png, R_CC.png and/or R_MLO.png "
              + "(DICOM input needs ingest's preprocessing: import the study with 'mammotriage import' instead)");
      return 2;
    }
    try (OnnxExamScorer s = new OnnxExamScorer(model, device, deviceRequired, 0, 1, 0)) {
      ScoreResult r = s.score(new ExamInput(dir.getFileName().toString(), images));
      System.out.printf(
          Locale.ROOT,
          "model %s on %s (%s)%n",
          r.model().id(),
          r.device(),
          r.model().intendedUse());
      System.out.printf(
          Locale.ROOT, "views: %s%n", images.stream().map(i -> i.slot().name()).toList());
      if (!r.scorable()) {
        System.out.println("UNSCORABLE: " + r.unscorableReason());
        return 1;
      }
      System.out.printf(
          Locale.ROOT,
          "malignancy left %s  right %s  suspicion %.4f%n",
          fmt(r.malignancyLeft()),
          fmt(r.malignancyRight()),
          r.suspicion());
      System.out.printf(
          Locale.ROOT,
          "risk 1..5 years: %s%n",
          Arrays.toString(
              Arrays.stream(r.risk())
                  .mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                  .toArray()));
      var t = r.model().thresholds();
      String category =
          r.suspicion() >= t.suspicious()
              ? "suspicious"
              : r.suspicion() < t.low() ? "low" : "routine";
      System.out.printf(
          Locale.ROOT,
          "category with the model's thresholds (suspicious %.3f, low %.3f): %s%s%n",
          t.suspicious(),
          t.low(),
          category,
          r.risk()[4] >= t.risk5y() ? " + risk elevated" : "");
      return 0;
    }
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}
