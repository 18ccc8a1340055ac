package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model.json}: identity, intended use, model input size and normalisation, outputs,
 * thresholds with how they were chosen, sha256 of each file, opset and evaluation metrics (DESIGN
 * §5). Parsed strictly: every problem found is reported at once.
 */
public record ModelManifest(
    String name,
    String version,
    String created,
    String producer,
    String intendedUse,
    int inputHeight,
    int inputWidth,
    double normMean,
    double normStd,
    ModelThresholds thresholds,
    Map<String, String> fileSha256,
    int opset,
    JsonNode metrics,
    JsonNode raw) {

  public static final String FILE = "model.json";
  public static final String EXAM_SCORER = "exam_scorer.onnx";
  public static final String IMAGE_ENCODER = "image_encoder.onnx";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static ModelManifest read(Path file) {
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(
          file + " is not valid JSON (" + e.getMessage() + "); re-export the model", e);
    }
    List<String> problems = new ArrayList<>();
    String name = text(n, "name", problems);
    String version = text(n, "version", problems);
    String intended = text(n, "intended_use", problems);
    JsonNode in = n.path("input");
    int h = positiveInt(in, "height", "input.height", problems);
    int w = positiveInt(in, "width", "input.width", problems);
    JsonNode norm = in.path("normalisation");
    double mean = number(norm, "mean", "input.normalisation.mean", problems);
    double std = number(norm, "std", "input.normalisation.std", problems);
    if (std <= 0 && !Double.isNaN(std)) {
      problems.add("input.normalisation.std must be > 0");
    }
    JsonNode t = n.path("thresholds");
    double susp = probability(t, "suspicious", problems);
    double low = probability(t, "low", problems);
    double risk = probability(t, "risk5y", problems);
    if (!Double.isNaN(susp) && !Double.isNaN(low) && low > susp) {
      problems.add(
          "thresholds.low (" + low + ") must not exceed thresholds.suspicious (" + susp + ")");
    }
    Map<String, String> files = new LinkedHashMap<>();
    JsonNode f = n.path("files");
    for (String required : List.of(EXAM_SCORER, IMAGE_ENCODER)) {
      String sha = f.path(required).asText("");
      if (!sha.matches("[0-9a-f]{64}")) {
        problems.add("files." + required + " must be the file's sha256 (64 lowercase hex digits)");
      }
      files.put(required, sha);
    }
    int opset = n.path("opset").asInt(-1);
    if (opset < 11) {
      problems.add("opset must be a number >= 11");
    }
    if (!problems.isEmpty()) {
      throw new ModelLoadException(
          file
              + " is not a valid model manifest: "
              + String.join("; ", problems)
              + ". See DESIGN §5 for the model.json contract.");
    }
    String producer =
        n.path("producer").isObject()
            ? n.path("producer").toString()
            : n.path("producer").asText("");
    return new ModelManifest(
        name,
        version,
        n.path("created").asText(""),
        producer,
        intended,
        h,
        w,
        mean,
        std,
        new ModelThresholds(susp, low, risk, t.path("provenance").asText("unspecified")),
        files,
        opset,
        n.path("metrics"),
        n);
  }

  private static String text(JsonNode n, String key, List<String> problems) {
    String v = n.path(key).asText("");
    if (v.isBlank()) {
      problems.add(key + " is missing");
    }
    return v;
  }

  private static int positiveInt(JsonNode n, String key, String path, List<String> problems) {
    int v = n.path(key).asInt(-1);
    if (v <= 0 || v > 8192) {
      problems.add(path + " must be an integer in 1..8192");
    }
    return v;
  }

  private static double number(JsonNode n, String key, String path, List<String> problems) {
    if (!n.path(key).isNumber()) {
      problems.add(path + " must be a number");
      return Double.NaN;
    }
    return n.path(key).asDouble();
  }

  private static double probability(JsonNode n, String key, List<String> problems) {
    double v = number(n, key, "thresholds." + key, problems);
    if (!Double.isNaN(v) && (v < 0 || v > 1)) {
      problems.add("thresholds." + key + " must be in [0, 1]");
    }
    return v;
  }
}
