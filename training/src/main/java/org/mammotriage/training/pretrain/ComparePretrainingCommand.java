package org.mammotriage.training.pretrain;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.model.PretrainMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./run train compare-pretraining}: the evaluation run of the pretraining methods. Makes (or
 * reads) an archive, pretrains CLIP, MV-CLIP and GLAM with the same architecture, data, seed and
 * budget, evaluates all three the same way and prints the method × task × label-fraction table.
 */
@Command(
    name = "compare-pretraining",
    mixinStandardHelpOptions = true,
    description =
        "Pretrain CLIP, MV-CLIP and GLAM on the same archive and budget and compare them (zero-shot"
            + " and linear probes). Not part of ./run test: it takes tens of minutes on a CPU.")
public final class ComparePretrainingCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ComparePretrainingCommand.class);

  @Option(
      names = "--out",
      defaultValue = "target/compare-pretraining",
      description = "Work and report folder.")
  Path out;

  @Option(
      names = "--manifest",
      description = "Use this manifest instead of generating a synthetic archive.")
  Path manifest;

  @Option(
      names = "--patients",
      defaultValue = "200",
      description = "Synthetic patients (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(names = "--synth-scale", defaultValue = "0.25", description = "Synthetic detector scale.")
  double scale;

  @Option(
      names = "--methods",
      defaultValue = "clip,mvclip,glam",
      split = ",",
      description = "Methods to compare.")
  List<String> methods;

  @Option(names = "--max-steps", defaultValue = "200", description = "Steps per method.")
  int steps;

  @Option(names = "--batch", defaultValue = "16", description = "Breasts per batch.")
  int batch;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate.")
  float lr;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of archive, training and evaluation.")
  long seed;

  @Option(
      names = "--image-cache",
      description = "Folder of cached working images (default OUT/image-cache).")
  Path imageCache;

  @Mixin ArchitectureOptions arch;

  @Override
  public Integer call() throws Exception {
    Path m = manifest;
    Map<String, Long> seconds = new LinkedHashMap<>();
    long t = System.nanoTime();
    if (m == null) {
      Path archive = out.resolve("archive");
      m = archive.resolve("manifest.csv");
      if (!Files.isRegularFile(m)) {
        SyntheticArchive.of(SynthOptions.defaults(patients, seed).withScale(scale))
            .onProgress(LOG::info)
            .generate(archive);
      }
      seconds.put("archive", (System.nanoTime() - t) / 1_000_000_000L);
    }
    PretrainData data = PretrainData.read(m);
    Path cache = imageCache != null ? imageCache : out.resolve("image-cache");
    List<EmbeddingEvaluator.Result> results = new ArrayList<>();
    for (String name : methods) {
      PretrainMethod pm = PretrainMethod.parse(name);
      Path dir = out.resolve(pm.id());
      t = System.nanoTime();
      Pretrainer.train(
          data,
          new Pretrainer.Options(
              pm,
              arch.config(),
              batch,
              steps,
              lr,
              0.05f,
              Math.max(1, steps / 10),
              0.8,
              50,
              seed,
              false,
              cache),
          dir,
          LOG::info);
      seconds.put(pm.id() + " pretrain", (System.nanoTime() - t) / 1_000_000_000L);
      t = System.nanoTime();
      try (NDManager manager = NDManager.newBaseManager()) {
        results.add(
            EmbeddingEvaluator.evaluate(
                PretrainedModel.load(dir, manager), data, pm.id(), cache, 32, seed, LOG::info));
      }
      seconds.put(pm.id() + " eval", (System.nanoTime() - t) / 1_000_000_000L);
    }
    EmbeddingReport.write(results, EvalEmbeddingsCommand.notice(m), out);
    System.out.print(EmbeddingReport.table(results));
    System.out.printf(Locale.ROOT, "seconds: %s%n", seconds);
    System.out.println("report: " + out.resolve(EmbeddingReport.HTML_FILE).toAbsolutePath());
    return 0;
  }
}
