package org.mammotriage.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.scp.StorescuClient;
import org.mammotriage.progress.Progress;

/**
 * Sends an archive the way a modality does: dcmtk's {@code storescu}, one association per study, to
 * a DICOM SCP. Files storescu cannot even parse (truncated files) are handed to the ingest
 * pipeline's import path instead, as a folder drop would, when a local pipeline is available.
 * Optionally paced to a rate of studies per second.
 */
public final class ArchiveSender {
  /** What happened to one file: the C-STORE response storescu got, or the import outcome. */
  public record FileResult(Path file, String study, String status) {}

  private final String host;
  private final int port;
  private final IngestPipeline localImport;
  private final Consumer<String> progress;

  public ArchiveSender(
      String host, int port, IngestPipeline localImport, Consumer<String> progress) {
    this.host = host;
    this.port = port;
    this.localImport = localImport;
    this.progress = progress;
  }

  /** The study folders of an archive written by {@code mammotriage synth}. */
  static List<Path> studies(Path archive) throws IOException {
    try (Stream<Path> s = Files.list(archive)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().equals("preview"))
          .sorted()
          .toList();
    }
  }

  /** {@code faults.csv}: file (relative to the archive) → expected reason or action. */
  static Map<String, String[]> faults(Path archive) throws IOException {
    Path f = archive.resolve("faults.csv");
    Map<String, String[]> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(f)) {
      return out;
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",", -1);
      if (c.length >= 4) {
        out.put(c[0], new String[] {c[1], c[2], c[3]});
      }
    }
    return out;
  }

  /**
   * Sends every study; returns one result per file.
   *
   * @param studiesPerSecond 0 = as fast as possible
   */
  public List<FileResult> send(Path archive, double studiesPerSecond) throws Exception {
    List<Path> studies = studies(archive);
    Map<String, String[]> faults = faults(archive);
    List<FileResult> out = new ArrayList<>();
    Progress bar =
        new Progress("sending studies (C-STORE)", "study", studies.size(), 5_000, progress);
    long start = System.nanoTime();
    int done = 0;
    for (Path study : studies) {
      List<Path> files;
      try (Stream<Path> s = Files.list(study)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      List<Path> viaScu = new ArrayList<>();
      for (Path f : files) {
        String rel = archive.relativize(f).toString();
        String[] fault = faults.get(rel);
        if (fault != null && "CORRUPT".equals(fault[2]) && localImport != null) {
          var o = localImport.process(f, "DEMO_DROP", "INGEST_IMPORT");
          out.add(
              new FileResult(
                  f,
                  study.getFileName().toString(),
                  "IMPORT " + o.status() + (o.reason() == null ? "" : " " + o.reason())));
        } else {
          viaScu.add(f);
        }
      }
      if (!viaScu.isEmpty()) {
        Map<String, String> r = storescu(viaScu);
        for (Path f : viaScu) {
          out.add(new FileResult(f, study.getFileName().toString(), r.get(f.toString())));
        }
      }
      done++;
      bar.update(done, done, "");
      if (studiesPerSecond > 0) {
        long due = start + (long) (done / studiesPerSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
    }
    return out;
  }

  /** One association: file → response status text ("Success", an error, or NOT_SENT). */
  Map<String, String> storescu(List<Path> files) throws Exception {
    return StorescuClient.send(
        host, port, "DEMO_MODALITY", DemoPipeline.AE_TITLE, List.of(), files);
  }
}
