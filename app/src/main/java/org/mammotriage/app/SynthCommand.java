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
      names = "--malignant-share",
      defaultValue = "0.08",
      description = "Share of patients with a screen-detected cancer.")
  double malignantShare;

  @Option(
      names = "--scale",
      defaultValue = "1.0",
      description = "Image size relative to the real detectors (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(names = "--preview", description = "Write a contact sheet PNG per exam under preview/.")
  boolean preview;

  @Option(names = "--threads", description = "Worker threads (default: one per core).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    SynthOptions o =
        SynthOptions.defaults(patients, seed)
            .withScale(scale)
            .withFaults(faults)
            .withFaultShare(faultShare)
            .withMalignantShare(malignantShare)
            .withPreview(preview);
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
