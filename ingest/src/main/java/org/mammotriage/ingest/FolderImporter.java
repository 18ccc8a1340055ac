package org.mammotriage.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Walks a folder (an archive to import or replay) and sends every DICOM file through the ingest
 * pipeline.
 */
public final class FolderImporter {
  private static final Set<String> SKIP =
      Set.of(".csv", ".png", ".json", ".txt", ".html", ".md", ".xml", ".jpg");
  private final IngestPipeline pipeline;

  public FolderImporter(IngestPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** Counts by outcome, rejections by reason, and the first files that were not stored. */
  public record Summary(
      int files,
      int stored,
      int duplicates,
      int transientFailures,
      Map<String, Integer> rejected,
      double seconds,
      List<String> failures) {
    static final int FAILURES_LISTED = 50;

    public Summary(
        int files,
        int stored,
        int duplicates,
        int transientFailures,
        Map<String, Integer> rejected,
        double seconds) {
      this(files, stored, duplicates, transientFailures, rejected, seconds, List.of());
    }

    public int rejectedTotal() {
      return rejected.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** 0 when every file was stored (or was stored before), else 1. */
    public int exitCode() {
      return rejectedTotal() + transientFailures == 0 ? 0 : 1;
    }

    /** The summary as {@code import} prints it. */
    public String report() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              Locale.ROOT,
              "imported %d files in %.1f s: %d stored, %d duplicates, %d rejected, %d not stored"
                  + " for a transient reason (send again)%n",
              files,
              seconds,
              stored,
              duplicates,
              rejectedTotal(),
              transientFailures));
      rejected.forEach(
          (reason, n) -> b.append(String.format(Locale.ROOT, "  rejected %-28s %5d%n", reason, n)));
      for (String f : failures) {
        b.append("  ").append(f).append(System.lineSeparator());
      }
      int unlisted = rejectedTotal() + transientFailures - failures.size();
      if (unlisted > 0) {
        b.append(String.format(Locale.ROOT, "  ... and %d more (see the DLQ)%n", unlisted));
      }
      return b.toString();
    }
  }

  /**
   * Sends every file under {@code dir} through the pipeline, one after the other. One file's
   * content never stops the others: each gets its own outcome.
   */
  public Summary importFolder(Path dir, Consumer<String> progress) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile).filter(FolderImporter::looksLikeDicom).sorted().toList();
    }
    long t0 = System.nanoTime();
    long lastReport = t0;
    int stored = 0;
    int dup = 0;
    int fail = 0;
    Map<String, Integer> rejected = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      Outcome o = pipeline.process(file, "IMPORT", "INGEST_IMPORT");
      switch (o.status()) {
        case STORED -> stored++;
        case DUPLICATE -> dup++;
        case TRANSIENT_FAILURE -> fail++;
        case REJECTED -> rejected.merge(o.reason().code(), 1, Integer::sum);
      }
      if (!o.success() && failures.size() < Summary.FAILURES_LISTED) {
        failures.add(dir.relativize(file) + ": " + o.reason() + " (" + o.text() + ")");
      }
      long now = System.nanoTime();
      if (now - lastReport > 2_000_000_000L || i == files.size() - 1) {
        lastReport = now;
        double secs = (now - t0) / 1e9;
        double rate = (i + 1) / secs;
        progress.accept(
            String.format(
                Locale.ROOT,
                "import %s %d/%d files (%.0f%%) %.1f files/s, ETA %.0f s",
                bar((i + 1) / (double) files.size()),
                i + 1,
                files.size(),
                100.0 * (i + 1) / files.size(),
                rate,
                (files.size() - i - 1) / rate));
      }
    }
    return new Summary(
        files.size(), stored, dup, fail, rejected, (System.nanoTime() - t0) / 1e9, failures);
  }

  private static String bar(double f) {
    int n = (int) Math.round(f * 24);
    return "[" + "#".repeat(n) + ".".repeat(24 - n) + "]";
  }

  /**
   * Whether a file in an archive folder is tried as DICOM: anything but the known side files (csv,
   * png, json, txt, html, md, xml, jpg); DICOM files often have no extension.
   */
  public static boolean looksLikeDicom(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 || !SKIP.contains(name.substring(dot));
  }
}
