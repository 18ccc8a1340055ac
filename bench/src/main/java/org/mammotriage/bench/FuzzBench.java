package org.mammotriage.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.mammotriage.ingest.IngestMetrics;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.InstanceDecoder;
import org.mammotriage.ingest.Pseudonymizer;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.fuzz.FuzzRun;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;

/**
 * {@code ./run bench fuzz --cases N [--seed S] [--through-scp]}: the ingest mutation fuzzer for
 * long runs, seeded from a small synthetic archive (the test suite runs a few hundred cases on
 * every build, and 60 through the SCP); {@code --through-scp} sends each case with storescu to a
 * real SCP. Not a timing benchmark: it prints outcome counts and exits non-zero on any property
 * violation.
 */
final class FuzzBench {
  private FuzzBench() {}

  static int run(int cases, long seed, boolean throughScp) throws Exception {
    Path dir = Files.createTempDirectory("mammotriage-fuzz");
    SyntheticArchive.of(SynthOptions.defaults(2, seed).withScale(0.05)).generate(dir.resolve("a"));
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList()) {
        seeds.add(Files.readAllBytes(p));
      }
    }
    Limits limits = Limits.defaults();
    java.util.function.Function<org.mammotriage.ingest.publish.Publisher, IngestPipeline>
        pipelines =
            sink ->
                new IngestPipeline(
                    new InstanceDecoder(
                        new InstanceClassifier(false, limits), limits, new Preprocessor(304, 184)),
                    Pseudonymizer.withSecret("fuzz-bench-secret-0123456789"),
                    sink,
                    new IngestMetrics(new SimpleMeterRegistry()),
                    0,
                    2);
    FuzzRun.Report r =
        throughScp
            ? FuzzRun.runThroughScp(
                seed, cases, seeds, dir.resolve("cases"), pipelines, Duration.ofSeconds(120))
            : FuzzRun.run(
                seed, cases, seeds, dir.resolve("cases"), pipelines, Duration.ofSeconds(120));
    System.out.println(r.summary());
    BenchReport.current()
        .measure(
            "fuzz",
            String.format(
                Locale.ROOT,
                "property violations in %d mutated cases (seed %d%s)",
                cases,
                seed,
                throughScp ? ", through the SCP" : ""),
            r.violations().size(),
            "cases",
            "0",
            null,
            r.violations().isEmpty() ? "met" : "NOT met")
        .note("fuzz", r.summary());
    r.violations().stream().limit(50).forEach(v -> System.out.println("  VIOLATION " + v));
    return r.violations().isEmpty() ? 0 : 1;
  }
}
