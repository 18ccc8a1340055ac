package org.mammotriage.training.pretrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.benchmark.CompareAggregate;
import org.mammotriage.training.benchmark.CompareProtocol;
import org.mammotriage.training.benchmark.CompareReport;
import org.mammotriage.training.benchmark.ImageSets;
import org.mammotriage.training.benchmark.ValidationHalves;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run train compare-pretraining}: the evaluation run of the pretraining methods (issue
 * #22's protocol, {@link CompareProtocol}). Makes (or reads) an archive, then for every method and
 * seed trains the same encoder on the same data and budget (random-init and supervised baselines
 * included), probes frozen embeddings on label budgets sized in absolute counts, and writes the
 * table, {@code compare.json} and {@code compare.html} with paired patient-level CIs on the
 * differences between methods. Finished runs are kept under {@code OUT/runs}, so a second call
 * resumes.
 */
@Command(
    name = "compare-pretraining",
    mixinStandardHelpOptions = true,
    description =
        "Pretrain CLIP, MV-CLIP, GLAM and MaMA with random-init and supervised baselines on the same"
            + " archive and budget, several seeds each, and compare linear probes with paired CIs."
            + " Not part of ./run test (a two-step version is): the full run takes about 90 minutes"
            + " on a 2-core CPU.")
public final class ComparePretrainingCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ComparePretrainingCommand.class);

  @Option(
      names = "--out",
      defaultValue = "target/compare-pretraining",
      description = "Work and report folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--benchmark",
      defaultValue = "v2",
      description = "Synthetic archive to generate: v2 (the pretraining benchmark) or v1.")
  String benchmark;

  @Option(
      names = "--manifest",
      description = "Use this manifest instead of generating a synthetic archive.")
  Path manifest;

  @Option(
      names = "--patients",
      defaultValue = "1000",
      description = "Synthetic patients (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(
      names = "--synth-scale",
      defaultValue = "0.25",
      description = "Synthetic detector scale (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(
      names = "--methods",
      defaultValue = "random,supervised,clip,mvclip,glam,mama",
      split = ",",
      description =
          "Methods to compare (default ${DEFAULT-VALUE}); ablations: mvclip-noview (MV-CLIP"
              + " without its CC-MLO term), glam-nolocal (GLAM without its local term), reported as"
              + " the full objective minus the ablation.")
  List<String> methods;

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description = "Training seeds per method, 1..N (default ${DEFAULT-VALUE}).")
  int seeds;

  @Option(
      names = "--baseline-seeds",
      description =
          "Train the random-init and supervised baselines on the first N seeds only (default: all"
              + " seeds); they set the benchmark's floor and ceiling, the differences between"
              + " pretraining methods use every seed.")
  Integer baselineSeeds;

  @Option(
      names = "--baseline-seed-methods",
      defaultValue = "random,supervised",
      split = ",",
      description =
          "The methods --baseline-seeds applies to (default ${DEFAULT-VALUE}); the report names"
              + " each method's seeds.")
  List<String> baselineSeedMethods;

  @Option(
      names = "--max-steps",
      defaultValue = "400",
      description = "Steps per run (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "Breasts per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate.")
  float lr;

  @Option(
      names = "--fractions",
      defaultValue = "0.01,0.1,1.0",
      split = ",",
      description = "Label budgets as shares of the train split (default ${DEFAULT-VALUE}).")
  List<Double> fractions;

  @Option(
      names = "--min-per-class",
      defaultValue = "10",
      description =
          "Smallest number of labelled breasts of each class in a budget (default ${DEFAULT-VALUE}).")
  int minPerClass;

  @Option(
      names = "--resamples",
      defaultValue = "1000",
      description = "Bootstrap resamples (default ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = "--references",
      defaultValue = "clip,random",
      split = ",",
      description = "Methods the differences are taken against (default ${DEFAULT-VALUE}).")
  List<String> references;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic archive.")
  long seed;

  @Option(
      names = "--image-cache",
      description = "Folder of cached working images (default OUT/image-cache).")
  Path imageCache;

  @Mixin ArchitectureOptions arch;

  @Override
  public Integer call() throws Exception {
    CompareReport.Inputs in = run(LOG::info);
    System.out.print(CompareReport.table(in));
    System.out.println("report: " + out.resolve(CompareReport.HTML_FILE).toAbsolutePath());
    return 0;
  }

  /** The whole comparison; returns what it wrote (tests call this on a tiny configuration). */
  public CompareReport.Inputs run(Consumer<String> progress) throws Exception {
    long t0 = System.nanoTime();
    Map<String, Object> timing = new LinkedHashMap<>();
    Path m = manifest;
    if (m == null) {
      Path archive = out.resolve("archive");
      m = archive.resolve("manifest.csv");
      if (!Files.isRegularFile(m)) {
        SynthOptions so =
            switch (benchmark.trim().toLowerCase(Locale.ROOT)) {
              case "v2", "2" -> SynthOptions.benchmarkV2(patients, seed).withScale(scale);
              case "v1", "1" -> SynthOptions.defaults(patients, seed).withScale(scale);
              default ->
                  throw new IllegalArgumentException(
                      "--benchmark must be v1 or v2, got " + benchmark);
            };
        SyntheticArchive.of(so).onProgress(progress).generate(archive);
      }
      timing.put("archive_seconds", (System.nanoTime() - t0) / 1_000_000_000L);
    }
    PretrainData data = ValidationHalves.apply(PretrainData.read(m));
    ModelConfig config = arch.config();
    Path cache = imageCache != null ? imageCache : out.resolve("image-cache");
    ViewImageLoader loader =
        new ViewImageLoader(
                Preprocessor.defaults(),
                config.inputHeight(),
                config.inputWidth(),
                config.normMean(),
                config.normStd())
            .withDiskCache(cache)
            .withMemoryCache();
    long t1 = System.nanoTime();
    Pretrainer.warm(loader, data.breasts(), progress);
    timing.put("working_images_seconds", (System.nanoTime() - t1) / 1_000_000_000L);
    List<Long> seedList = new ArrayList<>();
    for (long s = 1; s <= seeds; s++) {
      seedList.add(s);
    }
    double[] fr = fractions.stream().mapToDouble(Double::doubleValue).toArray();
    CompareProtocol.Plan plan =
        new CompareProtocol.Plan(
            List.copyOf(methods),
            seedList,
            config,
            steps,
            batch,
            lr,
            fr,
            minPerClass,
            resamples,
            List.copyOf(references),
            baselineSeeds == null ? seedList.size() : baselineSeeds,
            List.copyOf(baselineSeedMethods));
    long t2 = System.nanoTime();
    var runs = CompareProtocol.run(plan, data, out, loader, progress);
    timing.put("runs_seconds", (System.nanoTime() - t2) / 1_000_000_000L);
    long t3 = System.nanoTime();
    CompareAggregate.Result result =
        CompareAggregate.of(
            runs, plan.methods(), fr, plan.references(), ImageSets.test(data), resamples, seed);
    timing.put("bootstrap_seconds", (System.nanoTime() - t3) / 1_000_000_000L);
    timing.put("total_seconds", (System.nanoTime() - t0) / 1_000_000_000L);
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("benchmark", manifest == null ? benchmark : "manifest " + manifest);
    setup.put("manifest", m.toAbsolutePath().toString());
    setup.put("patients", data.breasts().stream().map(BreastSample::patientId).distinct().count());
    setup.put("images", ImageSets.counts(data));
    setup.put("methods", plan.methods());
    setup.put("seeds", seedList);
    setup.put("baseline_seeds", plan.baselineSeeds());
    setup.put("baseline_seed_methods", plan.fewSeedMethods());
    setup.put(
        "encoder",
        String.format(
            Locale.ROOT,
            "%s, %d token layer(s), embedding %d, input %dx%d",
            config.backbone() == null
                ? String.format(
                    Locale.ROOT, "ResNet-%d width %d", config.resnetDepth(), config.width())
                : config.describeBackbone() + ")",
            config.tokenLayers(),
            config.embeddingDim(),
            config.inputHeight(),
            config.inputWidth()));
    setup.put("steps", steps);
    setup.put("batch (breasts; supervised: images = 2x)", batch);
    setup.put("learning rate", lr);
    setup.put("augmentation", "MV-MLM affine + elastic, p = 0.5 each (every trained method)");
    setup.put("label budgets", fractions);
    setup.put("min labelled breasts per class", minPerClass);
    setup.put("bootstrap resamples", resamples);
    setup.put("seconds", timing);
    CompareReport.Inputs in =
        new CompareReport.Inputs(
            plan,
            setup,
            result,
            runs,
            manifest == null
                ? "SYNTHETIC phantoms (MammoTriage's generator, benchmark "
                    + benchmark
                    + "): these numbers say nothing about real mammograms."
                : EvalEmbeddingsCommand.notice(m));
    CompareReport.write(in, out);
    return in;
  }
}
