package org.mammotriage.training.domain;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.training.data.TrainingManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run train domain}: computes a model directory's validated domain and OOD reference from
 * a training manifest and writes it into its {@code model.json}. With {@code --ood-input features}
 * (the default) the encoder graph gets the extra output {@code ood_features} (pooled intermediate
 * activations, {@link OodFeatureGraph}); the command checks on seeded images that every existing
 * output is bit-identical before it replaces {@code image_encoder.onnx} (its sha256 in {@code
 * model.json} changes; the scores do not). With {@code --ood-input embedding} the ONNX files stay
 * as they are.
 */
@Command(
    name = "domain",
    mixinStandardHelpOptions = true,
    description =
        "Compute the validated domain + OOD reference of MODEL from MANIFEST (train: fit, val:"
            + " threshold, test: measured false out-of-domain rate) and write it to model.json.")
public final class DomainCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Model directory (contract 2).")
  Path model;

  @Option(names = "--manifest", required = true, description = "Training manifest (DICOM).")
  Path manifest;

  @Option(
      names = "--false-flag-rate",
      defaultValue = "0.01",
      description =
          "Share of validation exams (highest view) above the threshold (default"
              + " ${DEFAULT-VALUE}).")
  double falseFlagRate;

  @Option(
      names = "--shrinkage",
      defaultValue = "0.1",
      description = "Covariance shrinkage towards tr(S)/D·I (default ${DEFAULT-VALUE}).")
  double shrinkage;

  @Option(
      names = "--ood-clusters",
      defaultValue = "8",
      description =
          "Classes per layer (k-means clusters of the train views, tied covariance; clusters under"
              + " 2%% of the views dropped) (default ${DEFAULT-VALUE}).")
  int clusters;

  @Option(
      names = "--ood-input",
      defaultValue = "features",
      description =
          "features: Mahalanobis per layer on pooled intermediate activations + the embedding"
              + " (adds the output ood_features to image_encoder.onnx); embedding: one Gaussian on"
              + " the embedding (default ${DEFAULT-VALUE}).")
  String oodInput;

  @Override
  public Integer call() throws Exception {
    if (!oodInput.equals("features") && !oodInput.equals("embedding")) {
      System.err.println("--ood-input must be features or embedding, got " + oodInput);
      return 2;
    }
    ModelManifest mm = ModelManifest.read(model.resolve(ModelManifest.FILE));
    if (!mm.encodesViews()) {
      System.err.println(
          model + " is a contract-1 model directory; convert it first (./run train convert-v2)");
      return 2;
    }
    TrainingManifest rows = TrainingManifest.read(manifest);
    Path encoderFile = model.resolve(ModelManifest.IMAGE_ENCODER);
    Path candidate = encoderFile;
    OodFeatureGraph.WithFeatures wf = null;
    if (oodInput.equals("features")) {
      OnnxMl.ModelProto enc = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(encoderFile));
      OnnxMl.ModelProto plain = OodFeatureGraph.strip(enc);
      wf = OodFeatureGraph.add(plain, mm.embeddingDim());
      candidate = model.resolve(ModelManifest.IMAGE_ENCODER + ".ood.tmp");
      Files.write(candidate, wf.model().toByteArray());
      double diff = OodFeatureGraph.maxDiff(model, encoderFile, candidate, new Random(20), 16);
      if (diff != 0) {
        Files.deleteIfExists(candidate);
        System.err.printf(
            Locale.ROOT,
            "adding ood_features changed the encoder's outputs by up to %.3g; nothing written%n",
            diff);
        return 1;
      }
      System.out.printf(
          Locale.ROOT,
          "ood_features [N, %d]: %d layers (%s); embedding and per-view outputs bit-identical on 16"
              + " seeded images%n",
          wf.featureDim(),
          wf.slices().size(),
          String.join(", ", wf.slices().stream().map(s -> s.name() + " " + s.length()).toList()));
    }
    DomainReferenceBuilder.Result r;
    try (ImageEncoderRunner enc = new ImageEncoderRunner(model, candidate)) {
      r =
          new DomainReferenceBuilder(
                  shrinkage,
                  falseFlagRate,
                  wf == null ? null : wf.slices(),
                  wf == null ? 0 : wf.featureDim())
              .withClusters(clusters)
              .build(enc, rows, System.out::println);
    }
    ModelManifest.Builder b =
        mm.toBuilder()
            .setContractVersion(mm.contractVersion())
            .setEncoder(mm.embeddingDim(), mm.perViewOutputs())
            .optDomain(r.domain());
    mm.fileSha256().forEach(b::setFile);
    if (wf != null) {
      byte[] bytes = Files.readAllBytes(candidate);
      Files.move(
          candidate,
          encoderFile,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      b.setFile(ModelManifest.IMAGE_ENCODER, sha256(bytes));
      b.optOutput(
          OodReference.FEATURES_OUTPUT,
          "[N,"
              + wf.featureDim()
              + "] image_encoder: pooled mean and std of the encoder's block outputs + the"
              + " embedding, for the domain check only (domain.ood)");
    }
    b.build().write(model);
    System.out.printf(
        Locale.ROOT,
        "OOD threshold %.3f (fit on %d train views, chosen on %d val views); test split: %d/%d"
            + " exams flagged (false out-of-domain rate %.2f%%), %d/%d views%n",
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

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static List<String> names(Map<String, float[]> m) {
    return List.copyOf(m.keySet());
  }
}
