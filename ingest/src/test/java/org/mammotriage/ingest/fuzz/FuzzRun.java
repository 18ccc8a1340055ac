package org.mammotriage.ingest.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.mammotriage.ingest.publish.DlqFields;
import org.mammotriage.ingest.publish.Publisher;
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
