package org.mammotriage.training.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.mammotriage.evaluation.exam.EvaluationReport;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.SelectedThresholds;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.exameval.ExamModelEvaluator;
import org.mammotriage.training.export.ModelCard;
import org.mammotriage.training.export.ModelExport;
import org.mammotriage.training.export.OnnxExporter;
import org.mammotriage.training.heads.EmbeddingTable;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamModel;
import org.mammotriage.training.heads.ExamModelStore;
import org.mammotriage.training.heads.ExamRecord;
import org.mammotriage.training.heads.HeadsConfig;
import org.mammotriage.training.heads.HeadsTrainer;

/**
 * The whole demo chain: synthetic archive → encoder (pretraining) → embeddings → heads → evaluation
 * (thresholds on validation, metrics on test) → ONNX export with model.json and README. Every
 * artefact says it was trained on synthetic phantoms and is not for clinical use.
 */
public final class DemoModelPipeline {
  public static final String NOTICE =
      "Trained on SYNTHETIC phantoms (MammoTriage synthetic archive) for demonstration only."
          + " NOT for clinical use: it has never seen a real mammogram.";

  /** Sizes of the run. */
  public record Options(
      int patients,
      long seed,
      double synthScale,
      HeadsTrainer.Options heads,
      int riskDim,
      int riskLayers,
      int encodeBatch,
      String name,
      String version,
      double malignantShare) {
    /** With the synthetic archive's default cancer share. */
    public Options(
        int patients,
        long seed,
        double synthScale,
        HeadsTrainer.Options heads,
        int riskDim,
        int riskLayers,
        int encodeBatch,
        String name,
        String version) {
      this(
          patients,
          seed,
          synthScale,
          heads,
          riskDim,
          riskLayers,
          encodeBatch,
          name,
          version,
          SynthOptions.defaults(1, 0).malignantShare());
    }
  }

  /** What the run produced. */
  public record Result(
      Path modelDir,
      EvaluationResult evaluation,
      ModelExport.Result export,
      Map<String, Long> seconds) {}

  private final EncoderStep encoderStep;
  private final ExamModelStore store;
  private org.mammotriage.training.pretrain.FineTuner.Options fineTune;

  /** Adds supervised fine-tuning of the pretrained encoder on view labels before the heads. */
  public DemoModelPipeline withFineTuning(org.mammotriage.training.pretrain.FineTuner.Options o) {
    this.fineTune = o;
    return this;
  }

  public DemoModelPipeline(EncoderStep encoderStep, ExamModelStore store) {
    this.encoderStep = encoderStep;
    this.store = store;
  }

  public Result run(Options o, Path work, Path out, Consumer<String> progress) throws IOException {
    Map<String, Long> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    Path archive = work.resolve("archive");
    Path manifest = archive.resolve("manifest.csv");
    if (!Files.isRegularFile(manifest)) {
      progress.accept("synthetic archive: " + o.patients() + " patients, seed " + o.seed());
      SyntheticArchive.of(
              SynthOptions.defaults(o.patients(), o.seed())
                  .withScale(o.synthScale())
                  .withMalignantShare(o.malignantShare()))
          .onProgress(progress)
          .generate(archive);
    }
    t0 = lap(seconds, "synthetic_archive", t0);
    try (NDManager manager = NDManager.newBaseManager()) {
      EncoderStep.TrainedEncoder enc =
          encoderStep.train(manager, manifest, work.resolve("encoder"), progress);
      t0 = lap(seconds, "encoder", t0);
      org.mammotriage.training.data.ViewImageLoader loader =
          new org.mammotriage.training.data.ViewImageLoader(
                  Preprocessor.defaults(), enc.height(), enc.width(), enc.normMean(), enc.normStd())
              .withDiskCache(PretrainEncoderStep.imageCache(work.resolve("encoder")))
              .withMemoryCache();
      if (fineTune != null) {
        org.mammotriage.training.pretrain.FineTuner.Result ft =
            org.mammotriage.training.pretrain.FineTuner.fineTune(
                enc.encoder(),
                enc.embeddingDim(),
                org.mammotriage.training.pretrain.PretrainData.read(manifest),
                loader,
                fineTune,
                progress);
        enc =
            new EncoderStep.TrainedEncoder(
                enc.encoder(),
                enc.type(),
                enc.config(),
                enc.embeddingDim(),
                enc.height(),
                enc.width(),
                enc.normMean(),
                enc.normStd(),
                enc.description()
                    + String.format(
                        Locale.ROOT,
                        ", then fine-tuned on view labels (malignancy, mass, calcification) for %d"
                            + " steps; validation view-level malignancy AUC %.3f before, %.3f at the"
                            + " kept step %d",
                        fineTune.steps(),
                        ft.valAucBefore(),
                        ft.valAucBest(),
                        ft.bestStep()));
        t0 = lap(seconds, "fine_tune", t0);
      }
      List<ExamRecord> exams = ExamManifest.read(manifest);
      EmbeddingTable table =
          EmbeddingTable.encode(enc.encoder(), manager, loader, exams, o.encodeBatch(), progress);
      t0 = lap(seconds, "embeddings", t0);
      HeadsConfig hc =
          new HeadsConfig(
              enc.embeddingDim(),
              o.riskDim(),
              o.riskLayers(),
              4,
              5,
              org.mammotriage.training.heads.BreastAggregation.MAX);
      HeadsTrainer.Result heads =
          HeadsTrainer.train(
              manager, hc, table.split("train"), table.split("val"), o.heads(), progress);
      t0 = lap(seconds, "heads", t0);
      ExamModel model =
          new ExamModel(
              o.name(),
              NOTICE + " Encoder: " + enc.description(),
              enc.type(),
              enc.config(),
              enc.encoder(),
              heads.heads(),
              enc.height(),
              enc.width(),
              enc.normMean(),
              enc.normStd());
      Path trained = work.resolve("exam_model");
      store.save(model, trained);
      EvaluationResult eval =
          ExamModelEvaluator.evaluate(
              model, manager, table, manifest, ThresholdSelector.defaults());
      EvaluationReport.write(eval, o.name(), NOTICE, out);
      SelectedThresholds.of(eval).write(trained);
      t0 = lap(seconds, "evaluation", t0);
      ModelCard card =
          new ModelCard(
              o.name(),
              o.version(),
              model.intendedUse(),
              enc.normMean(),
              enc.normStd(),
              eval.thresholds(),
              EvaluationReport.summary(eval));
      ModelExport.Result export =
          new ModelExport(OnnxExporter.standard()).write(model.scorer(), card, out);
      t0 = lap(seconds, "export", t0);
      eval = calibrate(model, manager, table, manifest, out, eval, progress);
      lap(seconds, "calibration", t0);
      Files.writeString(
          out.resolve("README.md"), readme(o, enc, eval, seconds), StandardCharsets.UTF_8);
      return new Result(out, eval, export, seconds);
    }
  }

  /**
   * Fits the malignancy calibration on the validation split from the same raw predictions the
   * evaluation used (the exported graphs match them within the parity tolerance) and writes it into
   * the exported {@code model.json} with thresholds in calibrated space; returns the calibrated
   * evaluation. Skipped, with a line saying so, when the validation split has fewer than {@link
   * #MIN_CALIBRATION_CANCERS} breasts with cancer (a tiny archive): the model stays raw.
   */
  static EvaluationResult calibrate(
      ExamModel model,
      NDManager manager,
      EmbeddingTable table,
      Path manifest,
      Path out,
      EvaluationResult raw,
      Consumer<String> progress)
      throws IOException {
    List<org.mammotriage.evaluation.exam.ExamPrediction> p =
        new java.util.ArrayList<>(
            org.mammotriage.training.heads.HeadsPredictor.predict(
                model.heads(), manager, table.split("val")));
    long cancers =
        p.stream()
            .mapToLong(e -> (e.breastCancer()[0] ? 1 : 0) + (e.breastCancer()[1] ? 1 : 0))
            .sum();
    if (cancers < MIN_CALIBRATION_CANCERS) {
      progress.accept(
          "calibration skipped: the validation split has "
              + cancers
              + " breasts with cancer (fewer than "
              + MIN_CALIBRATION_CANCERS
              + "); model.json stays uncalibrated");
      return raw;
    }
    p.addAll(
        org.mammotriage.training.heads.HeadsPredictor.predict(
            model.heads(), manager, table.split("test")));
    org.mammotriage.training.calibration.ModelCalibration.Result r =
        org.mammotriage.training.calibration.ModelCalibration.fit(
            p, manifest.getFileName().toString(), ThresholdSelector.defaults(), 5, progress);
    org.mammotriage.training.calibration.ModelCalibration.writeInto(out, r);
    progress.accept(
        "calibration: "
            + r.calibration()
            + ", test exam ECE "
            + r.before().examMalignancyCalibration().ece().format()
            + " -> "
            + r.after().examMalignancyCalibration().ece().format());
    return r.after();
  }

  /** Breasts with cancer the validation split needs before a calibration is fitted on it. */
  static final int MIN_CALIBRATION_CANCERS = 5;

  private static long lap(Map<String, Long> seconds, String step, long t0) {
    long now = System.nanoTime();
    seconds.put(step, (now - t0) / 1_000_000_000L);
    return now;
  }

  static String readme(
      Options o, EncoderStep.TrainedEncoder enc, EvaluationResult e, Map<String, Long> seconds) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(o.name()).append(" — MammoTriage demo model\n\n");
    b.append("**").append(NOTICE).append("**\n\n");
    b.append("Files: `image_encoder.onnx` (one view → embedding and its malignancy logit) and")
        .append(
            " `exam_head.onnx` (the four views' encodings → malignancy, risk), model contract 2,")
        .append(" ONNX opset 17, exported from DJL in")
        .append(" Java; `model.json` (thresholds, sha256, metrics), `evaluation.json` and")
        .append(" `evaluation.html` (the evaluation on the held-out synthetic test split).\n\n");
    b.append("## How it was made\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "`./run train demo-model` — synthetic archive of %d patients (seed %d, image scale %.2f,"
                + " cancer-enriched: %.0f%% of exams with a cancer, far above screening prevalence),"
                + " encoder: %s; input %d×%d; heads: view-level malignancy probe and a risk"
                + " transformer across the four views with an additive hazard layer (1..5 years),"
                + " trained %d epochs on frozen embeddings.%n%n",
            o.patients(),
            o.seed(),
            o.synthScale(),
            100 * o.malignantShare(),
            enc.description(),
            enc.height(),
            enc.width(),
            o.heads().epochs()));
    b.append("Time per step (s): ").append(seconds).append("\n\n");
    b.append("## Results on the synthetic test split\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "- exam AUC %s (%d exams, %d with cancer)%n- breast AUC %s%n- at `suspicious`"
                + " (%.3f): sensitivity %.3f, specificity %.3f%n- C-index %.3f; 2-year AUC %.3f;"
                + " 5-year AUC %.3f%n%n",
            e.examAuc().format(),
            e.exams(),
            e.cancerExams(),
            e.breastAuc().format(),
            e.thresholds().suspicious(),
            e.atSuspicious().sensitivity(),
            e.atSuspicious().specificity(),
            e.cIndex().cIndex(),
            e.aucAt(2).auc(),
            e.aucAt(5).auc()));
    b.append("Thresholds: ").append(e.thresholds().provenance()).append("\n\n");
    if (e.examMalignancyCalibration() != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "Malignancy calibration on the test split (10 equal-mass bins, patient-level 95%% CI):"
                  + " exam ECE %s, Brier %s%s.%n%n",
              e.examMalignancyCalibration().ece().format(),
              e.examMalignancyCalibration().brier().format(),
              e.evaluationSet().contains("calibrated")
                  ? " after the calibration in `model.json` (see `calibration.html`)"
                  : " (uncalibrated)"));
    }
    b.append("These numbers describe synthetic phantoms with a planted risk pattern; they say")
        .append(" nothing about performance on real screening mammograms.\n");
    return b.toString();
  }
}
