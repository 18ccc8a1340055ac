package org.mammotriage.training.benchmark;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.mammotriage.progress.Progress;
import org.mammotriage.training.augment.Augmentation;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.ImageTower;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.pretrain.Ablation;
import org.mammotriage.training.pretrain.FineTuner;
import org.mammotriage.training.pretrain.PretrainData;
import org.mammotriage.training.pretrain.PretrainedModel;
import org.mammotriage.training.pretrain.Pretrainer;

/**
 * The pretraining comparison (issue #22's protocol): every method × seed gets the same image
 * encoder architecture, data and step budget, then frozen-embedding linear probes on label budgets
 * sized in absolute counts, with the probe's regularisation chosen on one half of the validation
 * split and its threshold on the other; everything is scored on the test split and aggregated by
 * {@link CompareAggregate}. Methods: {@code random} (an untrained encoder: the floor), {@code
 * supervised} (the encoder trained end to end on all training labels, the step chosen on the
 * selection half: the ceiling), and the pretraining objectives {@code clip}, {@code mvclip}, {@code
 * glam}, {@code mama}. Each finished run is saved, so an interrupted comparison resumes.
 */
public final class CompareProtocol {
  public static final List<String> TASKS =
      List.of("mass", "calcification", "malignancy", "density");
  public static final List<String> BASELINES = List.of("random", "supervised");

  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What to run.
   *
   * @param methods random, supervised, clip, mvclip, glam, mama (in report order)
   * @param seeds one full training per method and seed
   * @param minPerClass the smallest number of labelled breasts of a class in a budget
   */
  public record Plan(
      List<String> methods,
      List<Long> seeds,
      ModelConfig architecture,
      int steps,
      int batch,
      float learningRate,
      double[] fractions,
      int minPerClass,
      int resamples,
      List<String> references,
      int baselineSeeds,
      List<String> fewSeedMethods) {

    /** Every method, baselines included, on every seed. */
    public Plan(
        List<String> methods,
        List<Long> seeds,
        ModelConfig architecture,
        int steps,
        int batch,
        float learningRate,
        double[] fractions,
        int minPerClass,
        int resamples,
        List<String> references) {
      this(
          methods,
          seeds,
          architecture,
          steps,
          batch,
          learningRate,
          fractions,
          minPerClass,
          resamples,
          references,
          seeds.size(),
          BASELINES);
    }

    /**
     * Whether {@code method} is trained on the seed at position {@code seedIndex}: the methods of
     * {@code fewSeedMethods} (by default the baselines) on the first {@code baselineSeeds} only.
     */
    public boolean runs(String method, int seedIndex) {
      return !fewSeedMethods.contains(method) || seedIndex < baselineSeeds;
    }

    public Plan {
      if (baselineSeeds < 1 || baselineSeeds > seeds.size()) {
        throw new IllegalArgumentException(
            "baseline seeds must be between 1 and the number of seeds ("
                + seeds.size()
                + "), got "
                + baselineSeeds);
      }
      for (String m : methods) {
        if (!BASELINES.contains(m)) {
          Ablation.parse(m);
        }
      }
      if (seeds.isEmpty()) {
        throw new IllegalArgumentException("give at least one seed");
      }
    }
  }

  private CompareProtocol() {}

  /**
   * Runs (or resumes) every method × seed and returns the per-run scores.
   *
   * @param data the archive with its validation split already halved ({@link ValidationHalves})
   * @param loader shared by every run (its memory cache is filled once)
   */
  public static List<RunScores> run(
      Plan plan, PretrainData data, Path work, ViewImageLoader loader, Consumer<String> progress)
      throws IOException {
    ImageSet train = ImageSet.of(data, "train");
    ImageSet selection = ImageSet.of(data, ValidationHalves.SELECTION_SPLIT);
    ImageSet threshold = ImageSet.of(data, ValidationHalves.THRESHOLD_SPLIT);
    ImageSet test = ImageSet.of(data, "test");
    for (ImageSet s : List.of(train, selection, threshold, test)) {
      if (s.size() == 0) {
        throw new IllegalArgumentException(
            "the comparison needs images in the train, val (both halves) and test splits; "
                + s.split()
                + " has none (use more patients)");
      }
    }
    progress.accept(
        String.format(
            Locale.ROOT,
            "images: train %d, val (selection) %d, val (thresholds) %d, test %d",
            train.size(),
            selection.size(),
            threshold.size(),
            test.size()));
    List<RunScores> out = new ArrayList<>();
    int total = 0;
    for (int si = 0; si < plan.seeds().size(); si++) {
      for (String method : plan.methods()) {
        total += plan.runs(method, si) ? 1 : 0;
      }
    }
    Progress bar = new Progress("compare-pretraining", "runs", total, 0, progress);
    int done = 0;
    for (int si = 0; si < plan.seeds().size(); si++) {
      long seed = plan.seeds().get(si);
      for (String method : plan.methods()) {
        if (!plan.runs(method, si)) {
          continue;
        }
        Path f = RunScores.file(work, method, seed);
        RunScores r;
        if (Files.isRegularFile(f)) {
          r = RunScores.read(f, JSON);
          progress.accept("resuming: " + method + " seed " + seed + " read from " + f);
        } else {
          r =
              runOne(
                  plan, method, seed, data, work, loader, train, selection, threshold, test,
                  progress);
          r.write(work, JSON);
        }
        out.add(r);
        done++;
        bar.update(
            done,
            done,
            String.format(Locale.ROOT, "(%s seed %d: %.0f s)", method, seed, r.seconds()));
      }
    }
    return out;
  }

  private static RunScores runOne(
      Plan plan,
      String method,
      long seed,
      PretrainData data,
      Path work,
      ViewImageLoader loader,
      ImageSet train,
      ImageSet selection,
      ImageSet threshold,
      ImageSet test,
      Consumer<String> progress)
      throws IOException {
    long t0 = System.nanoTime();
    ModelConfig c = plan.architecture();
    List<double[]> loss = new ArrayList<>();
    String note;
    try (NDManager m = NDManager.newBaseManager()) {
      Block tower;
      if (method.equals("random") || method.equals("supervised")) {
        Engine.getInstance().setRandomSeed((int) seed);
        ImageTower t = c.imageTower();
        t.initialize(m, DataType.FLOAT32, new Shape(2, 1, c.inputHeight(), c.inputWidth()));
        tower = t;
        if (method.equals("supervised")) {
          FineTuner.Result ft =
              FineTuner.fineTune(
                  t,
                  c.embeddingDim(),
                  data,
                  loader,
                  new FineTuner.Options(
                      plan.steps(),
                      2 * plan.batch(),
                      plan.learningRate(),
                      0.05f,
                      Math.max(1, plan.steps() / 5),
                      seed,
                      Augmentation.Params.mvMlm()),
                  progress);
          for (int i = 0; i < ft.losses().length; i++) {
            loss.add(new double[] {i + 1, ft.losses()[i]});
          }
          note =
              String.format(
                  Locale.ROOT,
                  "kept step %d of %d (selection-half malignancy AUC %.3f)",
                  ft.bestStep(),
                  plan.steps(),
                  ft.valAucBest());
        } else {
          note = "untrained encoder";
        }
      } else {
        Ablation.Variant v = Ablation.parse(method);
        Path dir = work.resolve("models").resolve(method + "-seed" + seed);
        Pretrainer.Result r =
            Pretrainer.train(
                data,
                new Pretrainer.Options(
                        v.method(),
                        c,
                        plan.batch(),
                        plan.steps(),
                        plan.learningRate(),
                        0.05f,
                        Math.max(1, plan.steps() / 10),
                        0.8,
                        Math.max(1, plan.steps()),
                        seed,
                        false,
                        null)
                    .withAblation(v.ablation()),
                dir,
                progress,
                loader);
        for (String line : r.history()) {
          String[] f = line.split(",");
          loss.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[2])});
        }
        tower = PretrainedModel.load(dir, m).net().imageTower();
        note = String.format(Locale.ROOT, "%.1f images/s", r.imagesPerSecond());
      }
      Probes.Embedded z =
          new Probes.Embedded(
              Embedder.embed(
                  tower, loader, train.images(), 32, method + " embeddings (train)", progress),
              Embedder.embed(
                  tower, loader, selection.images(), 32, method + " embeddings (val)", progress),
              Embedder.embed(
                  tower,
                  loader,
                  threshold.images(),
                  32,
                  method + " embeddings (val-threshold)",
                  progress),
              Embedder.embed(
                  tower, loader, test.images(), 32, method + " embeddings (test)", progress));
      Map<String, RunScores.Probe> probes = new LinkedHashMap<>();
      for (String task : TASKS) {
        int classes = task.equals("density") ? 4 : 2;
        for (double f : plan.fractions()) {
          Probes.Outcome o =
              Probes.run(
                  z,
                  train,
                  selection,
                  threshold,
                  task,
                  classes,
                  f,
                  plan.minPerClass(),
                  seed * 7919L + Math.round(f * 1e4));
          probes.put(
              RunScores.key(task, f),
              new RunScores.Probe(
                  o.testProbs(), o.l2(), o.selectionAuc(), o.threshold(), o.perClass()));
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      progress.accept(
          String.format(Locale.ROOT, "%s seed %d done in %.0f s (%s)", method, seed, secs, note));
      return new RunScores(method, seed, secs, probes, loss, note);
    }
  }
}
