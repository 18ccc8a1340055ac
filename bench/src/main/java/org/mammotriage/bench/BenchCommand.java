package org.mammotriage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./run bench [NAME]}: benchmarks, each printing ratios against a baseline run in the same
 * command. A module of its own so that the runtime jars carry no benchmark code or test models.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks, each as a ratio against a baseline measured in the same run. Names: synth, scoring, ingest, scp, streams,"
            + " state; fuzz runs the ingest mutation fuzzer for long (not part of all).")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "NAME",
      description =
          "which benchmark (synth, scoring, ingest, scp, streams, state, fuzz); all but fuzz when omitted")
  String name;

  @Option(
      names = "--patients",
      description =
          "synth/streams/state: patients in the run (default 12; streams --alone: 200, about 370"
              + " exams, so that its steady-state window is several seconds long).")
  Integer patientsOption;

  int patients;

  @Option(
      names = "--image-store",
      description =
          "scp: run the ingest SCP with images.store.dir set (each working image written and"
              + " synced to a store directory while its record goes to Kafka), as the"
              + " image-store deployment does.")
  boolean imageStore;

  @Option(
      names = "--alone",
      description =
          "streams: only the stream alone against the scorer alone (no whole-path runs of"
              + " contract 1 and 2).")
  boolean aloneOnly;

  @Option(
      names = "--store-exams",
      split = ",",
      defaultValue = "1000,10000",
      description =
          "state: released exams loaded into the store before each restore, contract 2 (default"
              + " ${DEFAULT-VALUE}).")
  List<Integer> storeExams;

  @Option(
      names = "--baseline-store-exams",
      defaultValue = "200",
      description =
          "state: released exams loaded for the restore of today's store (contract 1, four working"
              + " images each; default ${DEFAULT-VALUE}).")
  int baselineStoreExams;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "scoring: a model directory (default: both a reference conv model built in code that reads"
              + " the 1520x912 working image at full size, and the bundled demo model).")
  Path model;

  @Option(
      names = "--input",
      paramLabel = "HxW",
      description =
          "scoring: only the reference model built in code, with this input size (e.g. 320x192;"
              + " 1520x912 reads the working image at full size).")
  String input;

  @Option(
      names = "--exams",
      defaultValue = "64",
      description = "scoring: exams per measurement (default ${DEFAULT-VALUE}).")
  int exams;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "scoring: measurements of scorer and bare loop per batch size, alternating; medians are"
              + " reported (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--reps",
      defaultValue = "5",
      description =
          "ingest: timed runs per image; streams --alone: runs of each setting, alternating (the"
              + " verdict's interval narrows with more: 6 runs reach a 96.9 %% interval, 9 runs"
              + " 96.1 %% without the extremes) (default ${DEFAULT-VALUE}).")
  int reps;

  @Option(
      names = "--compare",
      paramLabel = "KEY=VALUE[,KEY=VALUE...]",
      split = ",",
      description =
          "streams --alone: run the second setting with images in Kafka and these streams"
              + " settings (as in streams.properties, e.g. streams.num.threads=2 or"
              + " kafka.main.consumer.fetch.max.bytes=33554432) instead of the image store, and"
              + " report the difference each repetition's two runs show, with its interval: an A/B"
              + " of a setting against the default on this machine.")
  java.util.Map<String, String> compare = new java.util.LinkedHashMap<>();

  @Option(
      names = "--cases",
      defaultValue = "5000",
      description = "fuzz: mutated inputs to run (default ${DEFAULT-VALUE}).")
  int cases;

  @Option(
      names = "--seed",
      defaultValue = "18",
      description = "fuzz: seed of the mutations (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--through-scp",
      description =
          "fuzz: send every case with dcmtk's storescu to a real ingest SCP (one association"
              + " each; slower) instead of handing it to the pipeline.")
  boolean throughScp;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      defaultValue = "out/bench",
      description =
          "where the command writes what it measured as NAME.json and NAME.html (tables, each"
              + " ratio with its interval against its goal, each run, where the CPU went; default"
              + " ${DEFAULT-VALUE}).")
  Path reportDir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    patients = patientsOption != null ? patientsOption : 12;
    String which = name == null ? "all" : name;
    try { // before a long run, not after it
      Files.createDirectories(reportDir);
      Files.delete(Files.createTempFile(reportDir, ".bench-write-check", ".tmp"));
    } catch (IOException | RuntimeException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--report-dir "
              + reportDir
              + " cannot be written ("
              + e
              + "): give a folder this user can write to");
    }
    BenchReport report =
        BenchReport.begin(
            which.replaceAll("[^A-Za-z0-9_-]", "_"),
            "./run bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    int rc = runBench(which);
    if (rc != 2) { // 2: a usage error, nothing was run
      Path html = report.write(reportDir);
      System.out.println(
          "bench report: "
              + html
              + " and "
              + html.resolveSibling(report.name() + ".json")
              + " (open the HTML in a browser)");
    }
    return rc;
  }

  private int runBench(String which) throws Exception {
    switch (which) {
      case "synth" -> synth();
      case "scoring" -> scoring();
      case "ingest" -> IngestBench.run(reps);
      case "scp" -> ScpBench.run(6, imageStore); // 6 patients: 52 full-size files, 0.9 GB
      case "streams" -> {
        if (!compare.isEmpty() && !aloneOnly) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--compare needs --alone (it replaces the image-store runs)");
        }
        if (reps < 1) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--reps must be at least 1; got " + reps);
        }
        StreamsBench.run(
            patientsOption != null ? patientsOption : aloneOnly ? 200 : 12,
            aloneOnly,
            reps,
            compare);
      }
      case "state" -> StateBench.run(patients, storeExams, baselineStoreExams);
      case "fuzz" -> {
        return FuzzBench.run(cases, seed, throughScp);
      }
      case "all" -> {
        synth();
        scoring();
        IngestBench.run(reps);
        ScpBench.run(6);
        StreamsBench.run(patients, false);
        StateBench.run(patients, storeExams, baselineStoreExams);
      }
      default -> {
        System.err.println(
            "unknown benchmark '"
                + which
                + "'; available: synth, scoring, ingest, scp, streams, state, fuzz");
        return 2;
      }
    }
    return 0;
  }

  /**
   * The model given, or the reference model at the size given; by default both ends of the range: a
   * model that reads the working image at full size (where the model's cost dominates) and the
   * small bundled demo model (where decoding the working images does).
   */
  private void scoring() throws Exception {
    if (rounds < 1 || exams < 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--rounds and --exams must be at least 1; got " + rounds + " and " + exams);
    }
    if (model != null) {
      ScoringBench.run(model, 0, 0, exams, rounds);
    } else if (input != null) {
      ScoringBench.run(null, inputSize()[0], inputSize()[1], exams, rounds);
    } else {
      ScoringBench.run(null, 1520, 912, exams, rounds);
      Path demo = Path.of("models/demo-synthetic");
      if (Files.isDirectory(demo)) {
        System.out.println();
        ScoringBench.run(demo, 0, 0, exams, rounds);
      } else {
        System.out.println(
            "bench scoring: models/demo-synthetic not found (run from the repository root);"
                + " the demo model was not measured");
      }
    }
  }

  private int[] inputSize() {
    String[] p = input.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      int h = Integer.parseInt(p[0].trim());
      int w = Integer.parseInt(p[1].trim());
      if (p.length == 2 && h > 0 && w > 0 && h <= 4096 && w <= 4096) {
        return new int[] {h, w};
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this),
        "--input must be HxW with 1..4096 each, e.g. 320x192 or 1520x912; got '" + input + "'");
  }

  /**
   * Full-size synthetic archive generation against writing the same bytes straight to disk (the I/O
   * floor).
   */
  private void synth() throws IOException {
    Path dir = Files.createTempDirectory("bench-synth");
    try {
      SynthOptions o = SynthOptions.defaults(patients, 1);
      SyntheticArchive.Summary s = SyntheticArchive.of(o).generate(dir.resolve("archive"));
      byte[] block = new byte[8 << 20];
      new java.util.Random(1).nextBytes(block);
      long t0 = System.nanoTime();
      long written = 0;
      int i = 0;
      while (written < s.bytes()) {
        Files.write(dir.resolve("raw-" + i++), block);
        written += block.length;
      }
      double rawSecs = (System.nanoTime() - t0) / 1e9;
      double rawMbps = written / 1e6 / rawSecs;
      double exams = s.studies();
      System.out.printf(
          Locale.ROOT,
          "bench synth: %d studies, %d images (full size, 2 vendors), %.0f MB in %.1f s%n",
          s.studies(),
          s.images(),
          s.bytes() / 1e6,
          s.seconds());
      System.out.printf(
          Locale.ROOT,
          "  generator: %.2f images/s, %.1f MB/s, %.1f exams/min -> 1,000 exams in about %.1f min%n",
          s.imagesPerSecond(),
          s.megabytesPerSecond(),
          exams / s.seconds() * 60,
          1000 / (exams / s.seconds()) / 60);
      System.out.printf(
          Locale.ROOT,
          "  baseline (raw write of the same bytes): %.1f MB/s; generator/baseline = %.3f%n",
          rawMbps,
          s.megabytesPerSecond() / rawMbps);
      BenchReport.current()
          .measure(
              "synth",
              "generator/raw write of the same bytes (MB/s)",
              s.megabytesPerSecond() / rawMbps,
              "x",
              null,
              null,
              null)
          .note(
              "synth",
              String.format(
                  Locale.ROOT,
                  "%d studies, %d full-size images, %.0f MB in %.1f s: %.2f images/s, %.1f MB/s;"
                      + " raw write %.1f MB/s",
                  s.studies(),
                  s.images(),
                  s.bytes() / 1e6,
                  s.seconds(),
                  s.imagesPerSecond(),
                  s.megabytesPerSecond(),
                  rawMbps));
    } finally {
      try (Stream<Path> w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }
}
