package org.mammotriage.evaluation.exam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mammotriage.evaluation.thresholds.Thresholds;

/**
 * What {@code ./run train eval} hands to {@code ./run train export}: the thresholds chosen on the
 * validation split and the metrics summary, stored next to the trained model.
 */
public record SelectedThresholds(Thresholds thresholds, Map<String, Object> metrics) {
  public static final String FILE = "selected_thresholds.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static SelectedThresholds of(EvaluationResult r) {
    return new SelectedThresholds(r.thresholds(), EvaluationReport.summary(r));
  }

  public void write(Path modelDir) throws IOException {
    JSON.writeValue(modelDir.resolve(FILE).toFile(), this);
  }

  public static SelectedThresholds read(Path modelDir) throws IOException {
    Path f = modelDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      throw new IOException(
          f
              + " is missing: thresholds are chosen on the validation split by"
              + " ./run train eval --model "
              + modelDir
              + " --manifest MANIFEST; run that first");
    }
    return JSON.readValue(f.toFile(), SelectedThresholds.class);
  }
}
