package org.mammotriage.training.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one (method, seed) run produced, kept as {@code runs/METHOD-seedS.json} so that an
 * interrupted comparison continues where it stopped: per task and label budget the probe's test
 * probabilities, its threshold and choices, and the training loss curve.
 *
 * @param probes key {@code task@fraction}
 * @param loss [step, loss] of every training step (empty for random-init)
 */
public record RunScores(
    String method,
    long seed,
    double seconds,
    Map<String, Probe> probes,
    List<double[]> loss,
    String note) {

  /** One probe's outcome. */
  public record Probe(
      double[][] testProbs, double l2, double selectionAuc, double threshold, int[] perClass) {}

  static String key(String task, double fraction) {
    return task + "@" + fraction;
  }

  static Path file(Path dir, String method, long seed) {
    return dir.resolve("runs").resolve(method + "-seed" + seed + ".json");
  }

  void write(Path dir, ObjectMapper json) throws IOException {
    Path f = file(dir, method, seed);
    Files.createDirectories(f.getParent());
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    json.writeValue(tmp.toFile(), this);
    Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static RunScores read(Path f, ObjectMapper json) throws IOException {
    return json.readValue(f.toFile(), RunScores.class);
  }
}
