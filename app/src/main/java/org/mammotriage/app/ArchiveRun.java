package org.mammotriage.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * Pushes an archive through a pipeline over DICOM and collects what came out: every decision of
 * every exam the archive's manifest names, every dead-letter record. Shared by {@code demo} and
 * {@code replay}.
 */
public final class ArchiveRun {
  /** What came out. */
  public record Result(
      Set<String> expectedExams,
      Map<String, List<TriageDecision>> decisions,
      List<RejectedInstance> rejected,
      Map<String, String[]> faults,
      List<ArchiveSender.FileResult> files,
      double sendSeconds,
      double waitSeconds,
      boolean complete) {}

  private ArchiveRun() {}

  /** Study UIDs of the exams in {@code manifest.csv} (the exams that must be decided). */
  public static Set<String> expectedExams(Path archive) throws IOException {
    Path m = archive.resolve("manifest.csv");
    if (!Files.isRegularFile(m)) {
      throw new IOException(
          archive + " has no manifest.csv; give an archive written by './run mammotriage synth'");
    }
    List<String> lines = Files.readAllLines(m, StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(","));
    int col = header.indexOf("study_uid");
    Set<String> out = new LinkedHashSet<>();
    for (String l : lines.subList(1, lines.size())) {
      if (!l.isBlank()) {
        out.add(l.split(",", -1)[col]);
      }
    }
    return out;
  }

  /**
   * As {@link #run(Path, String, SerdeFactory, String, int, IngestPipeline, double, Duration,
   * Consumer)} for a pipeline without a schema registry.
   */
  public static Result run(
      Path archive,
      String bootstrap,
      String dicomHost,
      int dicomPort,
      IngestPipeline localImport,
      double studiesPerSecond,
      Duration timeout,
      Consumer<String> progress)
      throws Exception {
    return run(
        archive,
        bootstrap,
        SerdeFactory.singleObject(),
        dicomHost,
        dicomPort,
        localImport,
        studiesPerSecond,
        timeout,
        progress);
  }

  /** Sends the archive and reads the decisions in the wire format {@code serdes} says. */
  public static Result run(
      Path archive,
      String bootstrap,
      SerdeFactory serdes,
      String dicomHost,
      int dicomPort,
      IngestPipeline localImport,
      double studiesPerSecond,
      Duration timeout,
      Consumer<String> progress)
      throws Exception {
    Set<String> expected = expectedExams(archive);
    Map<String, String[]> faults = ArchiveSender.faults(archive);
    try (DecisionCollector collector = new DecisionCollector(bootstrap, serdes)) {
      long t0 = System.nanoTime();
      List<ArchiveSender.FileResult> files =
          new ArchiveSender(dicomHost, dicomPort, localImport, progress)
              .send(archive, studiesPerSecond);
      long t1 = System.nanoTime();
      progress.accept(
          String.format(
              Locale.ROOT,
              "sent %d files of %d studies in %.1f s; waiting for %d exams to be decided",
              files.size(),
              ArchiveSender.studies(archive).size(),
              (t1 - t0) / 1e9,
              expected.size()));
      long rejects = faults.values().stream().filter(f -> "REJECT".equals(f[1])).count();
      boolean complete = collector.awaitDecided(expected, timeout);
      if (!complete) {
        progress.accept(
            "timed out: " + collector.decidedCount() + " of " + expected.size() + " exams decided");
      }
      collector.awaitRejected((int) rejects, Duration.ofSeconds(10));
      // a moment more for a late duplicate, which must not exist, to show up
      Thread.sleep(1000);
      long t2 = System.nanoTime();
      return new Result(
          expected,
          collector.decisions(),
          collector.rejected(),
          faults,
          files,
          (t1 - t0) / 1e9,
          (t2 - t1) / 1e9,
          complete);
    }
  }

  static Map<String, Object> timings(Map<String, Double> t) {
    Map<String, Object> out = new LinkedHashMap<>();
    t.forEach((k, v) -> out.put(k, Math.round(v * 10) / 10.0));
    return out;
  }
}
