package org.mammotriage.scoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot model change in a running process, without restart: by watching the model directory (a new
 * model copied over it, or a symlink swapped to another version, as Kubernetes volume updates do)
 * and by an admin command ({@link #activate}). A change is activated only when the new directory
 * loads and validates completely (manifest, sha256 of each file, tensor contract, warm-up); until
 * then the current model keeps scoring, so a half-copied directory is retried at the next poll and
 * never half-used. Exams in flight finish on the old model ({@link OnnxExamScorer#activate}); the
 * switch is logged, counted ({@code mammotriage_model_switches_total}, {@code
 * mammotriage_model_switch_failures_total}), shown by {@code mammotriage_model_info{model,device}}
 * and visible in every score's model id.
 */
public final class ModelSwitcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSwitcher.class);

  /** The files of both contracts: a change of any of them is a change of the directory. */
  static final String[] FILES = {
    ModelManifest.FILE,
    ModelManifest.EXAM_SCORER,
    ModelManifest.IMAGE_ENCODER,
    ModelManifest.EXAM_HEAD
  };

  private final OnnxExamScorer scorer;
  private final Path watched;
  private final ScheduledExecutorService timer;
  private final Counter switches;
  private final Counter failures;
  private final MultiGauge modelInfo;
  private String loadedFingerprint;
  private String failedFingerprint;

  /**
   * @param watched the directory to watch (the one the scorer was started with), or null
   * @param intervalMs how often to look at it; 0 = only when {@link #checkNow} is called
   */
  public ModelSwitcher(
      OnnxExamScorer scorer, Path watched, long intervalMs, MeterRegistry registry) {
    this.scorer = scorer;
    this.watched = watched;
    this.switches =
        Counter.builder("mammotriage_model_switches")
            .description("Models activated without restart (directory watch or admin command)")
            .register(registry);
    this.failures =
        Counter.builder("mammotriage_model_switch_failures")
            .description("New model versions that failed to load; the previous model kept scoring")
            .register(registry);
    this.modelInfo =
        MultiGauge.builder("mammotriage_model_info")
            .description("1 for the model that is scoring now, tagged with its id and device")
            .register(registry);
    publishActive();
    this.loadedFingerprint = watched == null ? null : fingerprint(watched);
    if (watched != null && intervalMs > 0) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "model-watch");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleWithFixedDelay(this::poll, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
      LOG.info(
          "watching model directory {} every {} ms for a new model (scoring.model.watch.interval.ms)",
          watched,
          intervalMs);
    } else {
      timer = null;
    }
  }

  private void publishActive() {
    modelInfo.register(
        List.of(
            MultiGauge.Row.of(
                Tags.of("model", scorer.activeModel().id(), "device", scorer.device()), 1)),
        true);
  }

  /** The scorer whose model this switches. */
  public OnnxExamScorer scorer() {
    return scorer;
  }

  /**
   * Loads, validates and activates {@code dir} now (the admin command). On failure the current
   * model stays active and the {@link ModelLoadException} says what is wrong with {@code dir}.
   */
  public synchronized ModelInfo activate(Path dir) {
    String before = scorer.activeModel().id();
    boolean isWatched =
        watched != null
            && watched.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize());
    String fp = isWatched ? fingerprint(watched) : null;
    try {
      ModelInfo next = scorer.activate(dir);
      if (isWatched) { // the watch must not load the same files a second time
        loadedFingerprint = fp;
        failedFingerprint = null;
      }
      switches.increment();
      publishActive();
      LOG.info("model {} active (was {}), activated from {}", next.id(), before, dir);
      return next;
    } catch (RuntimeException e) {
      failures.increment();
      LOG.warn(
          "model directory {} not activated, {} keeps scoring{}: {}",
          dir,
          before,
          isWatched ? " (the watch tries again when its files change)" : "",
          e.getMessage());
      throw e;
    }
  }

  /**
   * Looks at the watched directory once: when its files changed since the active model was loaded
   * from it, activates it. True when the model switched.
   */
  public synchronized boolean checkNow() {
    if (watched == null) {
      return false;
    }
    String fp = fingerprint(watched);
    if (fp.equals(loadedFingerprint) || fp.equals(failedFingerprint)) {
      return false;
    }
    try {
      activate(watched);
      return true;
    } catch (RuntimeException e) {
      // tried once per version of the files; a copy still in progress changes them and is retried
      failedFingerprint = fp;
      return false;
    }
  }

  private void poll() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      LOG.warn("model watch: {}", e.toString());
    }
  }

  /**
   * What identifies the directory's current files: the manifest's bytes and each model file's size
   * and modification time (hashing the ONNX files at every poll would cost too much; their sha256
   * is checked when the model loads).
   */
  static String fingerprint(Path dir) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String name : FILES) {
        Path f = dir.resolve(name);
        md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
          if (name.endsWith(".json")) {
            md.update(Files.readAllBytes(f));
          } else {
            md.update(
                (Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          }
        } catch (NoSuchFileException e) {
          md.update((byte) 0);
        } catch (IOException e) {
          md.update(
              ("unreadable " + e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
