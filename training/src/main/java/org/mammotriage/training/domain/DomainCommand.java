package org.mammotriage.training.domain;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.training.data.TrainingManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run train domain}: computes a model directory's validated domain and embedding OOD
 * reference from a training manifest and writes it into its {@code model.json} (the ONNX files and
 * their sha256 are unchanged).
 */
@Command(
    name = "domain",
    mixinStandardHelpOptions = true,
    description =
        "Compute the validated domain + embedding OOD reference of MODEL from MANIFEST (train:"
            + " fit, val: threshold, test: measured false OOD rate) and write it to model.json.")
public final class DomainCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Model directory (contract 2).")
  Path model;

  @Option(names = "--manifest", required = true, description = "Training manifest (DICOM).")
  Path manifest;

  @Option(
      names = "--false-flag-rate",
      defaultValue = "0.005",
      description =
          "Per-view share of validation views above the threshold (default ${DEFAULT-VALUE}).")
  double falseFlagRate;

  @Option(
      names = "--shrinkage",
      defaultValue = "0.1",
      description = "Covariance shrinkage towards tr(S)/D·I (default ${DEFAULT-VALUE}).")
  double shrinkage;

  @Override
  public Integer call() throws Exception {
    try (ImageEncoderRunner enc = new ImageEncoderRunner(model)) {
      ModelManifest mm = enc.manifest();
      DomainReferenceBuilder.Result r =
          new DomainReferenceBuilder(shrinkage, falseFlagRate)
              .build(enc, TrainingManifest.read(manifest), System.out::println);
      ModelManifest.Builder b =
          mm.toBuilder()
              .setContractVersion(mm.contractVersion())
              .setEncoder(mm.embeddingDim(), mm.perViewOutputs())
              .optDomain(r.domain());
      mm.fileSha256().forEach(b::setFile);
      b.build().write(model);
      System.out.printf(
          Locale.ROOT,
          "OOD threshold %.3f (fit on %d train views, chosen on %d val views); test split: %d/%d"
              + " exams flagged (%.2f%%), %d/%d views%n",
          r.domain().ood().threshold(),
          r.fitViews(),
          r.thresholdViews(),
          r.testExamsFlagged(),
          r.testExams(),
          100 * r.testExamFalseRate(),
          r.testViewsFlagged(),
          r.testViews());
      return 0;
    }
  }
}
