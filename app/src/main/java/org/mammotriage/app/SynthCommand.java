package org.mammotriage.app;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mammotriage synth}: writes a synthetic screening archive with known truth. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description =
        "Generate a synthetic screening archive (valid MG DICOM with ground truth). Synthetic phantoms: not patient data.")
public final class SynthCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output folder (one folder per study, CSVs).")
  Path out;

  @Option(
      names = "--patients",
      defaultValue = "20",
      description = "Number of patients (1-3 exams each; default ${DEFAULT-VALUE}).")
  int patients;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed; the same seed gives byte-identical output.")
  long seed;

  @Option(
      names = "--faults",
      description =
          "Inject faults (duplicates, retakes, extra views, bad files...) and write faults.csv.")
  boolean faults;

  @Option(
      names = "--fault-share",
      defaultValue = "0.25",
      description = "Share of studies given a fault (default ${DEFAULT-VALUE}).")
  double faultShare;

  @Option(
      names = "--benchmark",
      defaultValue = "v1",
      description =
          "v1 (default: the archive every test and the demo use) or v2 (the pretraining benchmark:"
              + " reports from a simulated reader, per-view compression and exposure, lesions partly"
              + " hidden in one view, CC/MLO landmarks; see synth/README.md).")
  String benchmark;

  @Option(
      names = "--malignant-share",
      description = "Share of patients with a screen-detected cancer (default 0.08; v2: 0.20).")
  Double malignantShare;

  @Option(
      names = "--scale",
      description = "Image size relative to the real detectors (default 1.0; v2: 0.25).")
  Double scale;

  @Option(names = "--preview", description = "Write a contact sheet PNG per exam under preview/.")
  boolean preview;

  @Option(names = "--threads", description = "Worker threads (default: one per core).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    SynthOptions o =
        switch (benchmark.trim().toLowerCase(Locale.ROOT)) {
          case "v1", "1" -> SynthOptions.defaults(patients, seed);
          case "v2", "2" -> SynthOptions.benchmarkV2(patients, seed);
          default ->
              throw new picocli.CommandLine.ParameterException(
                  new picocli.CommandLine(this), "--benchmark must be v1 or v2, got " + benchmark);
        };
    if (scale != null) {
      o = o.withScale(scale);
    }
    if (malignantShare != null) {
      o = o.withMalignantShare(malignantShare);
    }
    o = o.withFaults(faults).withFaultShare(faultShare).withPreview(preview);
    if (threads != null) {
      o = o.withThreads(threads);
    }
    SyntheticArchive.Summary s =
        SyntheticArchive.of(o).onProgress(System.err::println).generate(out);
    System.out.printf(
        Locale.ROOT,
        "wrote %d studies of %d patients: %d files, %.1f MB in %.1f s (%.2f images/s, %.1f MB/s) to %s%n",
        s.studies(),
        s.patients(),
        s.images(),
        s.bytes() / 1e6,
        s.seconds(),
        s.imagesPerSecond(),
        s.megabytesPerSecond(),
        out);
    if (!s.faults().isEmpty()) {
      System.out.println("faults: " + s.faults() + " (see faults.csv)");
    }
    System.out.println("SYNTHETIC phantoms for testing and demonstration; not patient data.");
    return 0;
  }
}
