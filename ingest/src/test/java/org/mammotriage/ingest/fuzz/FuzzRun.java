package org.mammotriage.ingest.fuzz;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.Outcome;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.publish.DlqFields;
import org.mammotriage.ingest.publish.Publisher;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ingest.scp.StorescuClient;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;

/**
 * Runs {@link MutationFuzzer} cases through the ingest pipeline and checks, for each, the property
 * of issue 18: it gets a success or a failure status; on a permanent failure exactly one DLQ record
 * with its reason code, on anything else none; the pipeline neither throws nor hangs; no DLQ field
 * exceeds its bound or leaves its character set ({@link DlqFields#violations}).
 */
public final class FuzzRun {
  /** Counts by outcome (STORED, DUPLICATE, REJECTED reason, TRANSIENT reason) and violations. */
  public record Report(
      long seed,
      int cases,
      Map<String, Integer> outcomes,
      List<String> violations,
      double seconds) {
    public String summary() {
      return String.format(
          Locale.ROOT,
          "fuzz: %d cases (seed %d) in %.1f s: %s; property violations: %d",
          cases,
          seed,
          seconds,
          outcomes,
          violations.size());
    }
  }

  /** Keeps what the pipeline published, in memory. */
  public static final class Sink implements Publisher {
    final List<MammogramImage> images = new CopyOnWriteArrayList<>();
    final List<RejectedInstance> rejections = new CopyOnWriteArrayList<>();

    @Override
    public void publish(MammogramImage image) {
      images.add(image);
    }

    @Override
    public void reject(RejectedInstance rejection) {
      rejections.add(rejection);
    }

    @Override
    public void close() {}
  }

  private FuzzRun() {}

  /**
   * @param pipelines builds the pipeline under test over the run's sink
   * @param perCase how long one case may take before it counts as a hang
   */
  public static Report run(
      long seed,
      int cases,
      List<byte[]> seeds,
      Path workDir,
      Function<Publisher, IngestPipeline> pipelines,
      Duration perCase)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Sink sink = new Sink();
    IngestPipeline pipeline = pipelines.apply(sink);
    MutationFuzzer fuzzer = new MutationFuzzer(seed, seeds);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    ExecutorService worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fuzz-case");
              t.setDaemon(true);
              return t;
            });
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < cases; i++) {
        MutationFuzzer.Case c = fuzzer.next();
        Path file = Files.write(workDir.resolve("case-" + c.index() + ".dcm"), c.bytes());
        int before = sink.rejections.size();
        Future<Outcome> f = worker.submit(() -> pipeline.process(file, "FUZZER", "INGEST_IMPORT"));
        Outcome o;
        try {
          o = f.get(perCase.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          violations.add(c.index() + " " + c.mutation() + ": no outcome within " + perCase);
          f.cancel(true);
          worker.shutdownNow();
          worker = Executors.newSingleThreadExecutor();
          continue;
        } catch (java.util.concurrent.ExecutionException e) {
          violations.add(c.index() + " " + c.mutation() + ": threw " + e.getCause());
          continue;
        } finally {
          Files.deleteIfExists(file);
        }
        check(c, o, sink.rejections.subList(before, sink.rejections.size()), violations);
        String key =
            o.status() == Outcome.Status.REJECTED || o.status() == Outcome.Status.TRANSIENT_FAILURE
                ? o.status() + " " + o.reason()
                : o.status().name();
        outcomes.merge(key, 1, Integer::sum);
      }
    } finally {
      worker.shutdownNow();
    }
    return new Report(seed, cases, outcomes, violations, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The same cases sent as a modality sends them: each with dcmtk's {@code storescu}, over its own
   * association, to a real {@link DicomScp} on a free port whose pipeline publishes to the run's
   * sink. The property per case: storescu either refuses to send it itself (it cannot parse the
   * file, or no presentation context fits its SOP class or transfer syntax) or gets a status; on a
   * permanent failure status exactly one DLQ record, bounded, with a reason code; on success or a
   * transient failure (0xA7xx) none. {@code echoscu} must answer every 50 cases and at the end.
   * Counts are by outcome: {@code SCP <status text>} with the DLQ reason, or {@code NOT_SENT}.
   */
  public static Report runThroughScp(
      long seed,
      int cases,
      List<byte[]> seeds,
      Path workDir,
      Function<Publisher, IngestPipeline> pipelines,
      Duration perCase)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Sink sink = new Sink();
    IngestPipeline pipeline = pipelines.apply(sink);
    MutationFuzzer fuzzer = new MutationFuzzer(seed, seeds);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    long t0 = System.nanoTime();
    long timeout = Math.max(1, perCase.toSeconds());
    try (DicomScp scp =
        new DicomScp(
            ScpSettings.of(0, "MAMMOTRIAGE", Set.of(), Limits.defaults().maxBytes(), 8),
            pipeline,
            Files.createDirectories(workDir.resolve("spool")),
            new SimpleMeterRegistry())) {
      for (int i = 0; i < cases; i++) {
        MutationFuzzer.Case c = fuzzer.next();
        String at = c.index() + " " + c.mutation() + ": ";
        Path file = Files.write(workDir.resolve("case-" + c.index() + ".dcm"), c.bytes());
        int before = sink.rejections.size();
        String response;
        try {
          response =
              StorescuClient.send(
                      "127.0.0.1",
                      scp.port(),
                      "FUZZER",
                      "MAMMOTRIAGE",
                      List.of("-ta", Long.toString(timeout), "-td", Long.toString(timeout)),
                      List.of(file))
                  .get(file.toString());
        } finally {
          Files.deleteIfExists(file);
        }
        List<RejectedInstance> records =
            new ArrayList<>(sink.rejections.subList(before, sink.rejections.size()));
        String key = scpOutcome(at, response, records, violations);
        outcomes.merge(key, 1, Integer::sum);
        if ((i + 1) % 50 == 0 || i == cases - 1) {
          if (!echo(scp.port(), timeout)) {
            violations.add("after case " + c.index() + ": echoscu got no answer");
          }
        }
      }
      if (!scp.isRunning()) {
        violations.add("the SCP stopped");
      }
    }
    return new Report(seed, cases, outcomes, violations, (System.nanoTime() - t0) / 1e9);
  }

  /** What storescu printed when it would not send a file: not the SCP's doing. */
  private static final List<String> SENDER_REFUSALS =
      List.of(
          "NOT_SENT",
          "No presentation context",
          "no presentation context",
          "unable to convert",
          "Unknown Transfer Syntax",
          "cannot determine",
          "Bad DICOM file",
          "Illegal",
          "SOP Class UID");

  private static String scpOutcome(
      String at, String response, List<RejectedInstance> records, List<String> violations) {
    if (response == null) {
      violations.add(at + "storescu printed nothing for the file");
      return "NO_RESPONSE";
    }
    if (response.startsWith("NOT_SENT")
        || (response.startsWith("NO_RESPONSE")
            && !response.contains("Sending Store Request")
            && SENDER_REFUSALS.stream().anyMatch(response::contains))) {
      if (!records.isEmpty()) {
        violations.add(at + records.size() + " DLQ record(s) for a file storescu did not send");
      }
      return "NOT_SENT (storescu refused it)";
    }
    if (response.startsWith("NO_RESPONSE")) {
      violations.add(at + "no status: " + response.lines().reduce((a, b) -> b).orElse(""));
      return "NO_RESPONSE";
    }
    String status = response.replaceAll("\\s*\\[.*$", "").trim();
    boolean transientStatus = status.contains("Out of Resources") || status.contains("Refused");
    if (status.equals("Success") || transientStatus) {
      if (!records.isEmpty()) {
        violations.add(at + records.size() + " DLQ record(s) for " + status);
      }
      return "SCP " + status;
    }
    if (records.size() != 1) {
      violations.add(at + records.size() + " DLQ records for the failure status " + status);
      return "SCP " + status;
    }
    for (String v : DlqFields.violations(records.get(0))) {
      violations.add(at + v);
    }
    return "SCP " + status + " " + records.get(0).getReasonCode();
  }

  private static boolean echo(int port, long timeoutSeconds) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(
                  "echoscu",
                  "-ta",
                  Long.toString(timeoutSeconds),
                  "-aec",
                  "MAMMOTRIAGE",
                  "127.0.0.1",
                  Integer.toString(port))
              .redirectErrorStream(true)
              .start();
      p.getInputStream().transferTo(OutputStream.nullOutputStream());
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static void check(
      MutationFuzzer.Case c, Outcome o, List<RejectedInstance> records, List<String> violations) {
    String at = c.index() + " " + c.mutation() + ": ";
    if (o == null || o.status() == null) {
      violations.add(at + "no status");
      return;
    }
    if (o.status() == Outcome.Status.REJECTED) {
      if (records.size() != 1) {
        violations.add(at + records.size() + " DLQ records for one rejection");
        return;
      }
      RejectedInstance r = records.get(0);
      if (!r.getReasonCode().equals(o.reason().code())) {
        violations.add(at + "DLQ reason " + r.getReasonCode() + " but status for " + o.reason());
      }
      for (String v : DlqFields.violations(r)) {
        violations.add(at + v);
      }
    } else if (!records.isEmpty()) {
      violations.add(at + records.size() + " DLQ record(s) for " + o.status());
    }
  }
}
