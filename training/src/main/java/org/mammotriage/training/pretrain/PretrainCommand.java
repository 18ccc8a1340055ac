package org.mammotriage.training.pretrain;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.training.model.PretrainMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run train pretrain}: vision-language pretraining of the image encoder. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description =
        "Pretrain image and text encoders on a training manifest with CLIP, MV-CLIP or GLAM."
            + " Image paths resolve relative to the manifest. Writes pretrain.json,"
            + " pretrain.params, vocab.txt, history.csv and checkpoints/ into --out.")
public final class PretrainCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainCommand.class);

  @Option(names = "--method", required = true, description = "clip, mvclip, glam or mama.")
  String method;

  @Option(names = "--manifest", required = true, description = "Training manifest CSV.")
  Path manifest;

  @Option(names = "--out", required = true, description = "Model folder to write.")
  Path out;

  @Option(
      names = "--max-steps",
      defaultValue = "300",
      description = "Optimizer steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "Breasts per batch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "5e-4",
      description = "Peak learning rate (default ${DEFAULT-VALUE}).")
  float lr;

  @Option(
      names = "--weight-decay",
      defaultValue = "0.05",
      description = "AdamW weight decay (default ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(
      names = "--warmup",
      defaultValue = "30",
      description = "Linear warm-up steps (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--mask-prob",
      defaultValue = "0.8",
      description = "Meta-information masking probability m (default ${DEFAULT-VALUE}).")
  double mask;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "50",
      description = "Checkpoint interval in steps (default ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
  boolean resume;

  @Option(
      names = "--image-cache",
      description = "Folder for cached working images (default OUT/image-cache).")
  Path cache;

  @Option(
      names = "--workers",
      description =
          "Data-pipeline threads that read and augment images ahead of training (default: the"
              + " cores, at most 4). Results do not depend on it.")
  int workers = Pretrainer.Options.defaultWorkers();

  @Option(
      names = "--prefetch",
      description =
          "Batches built ahead of training (default: 2 per worker); bounds the pipeline's memory.")
  int prefetch = 0;

  @Option(
      names = "--data-parallel",
      defaultValue = "1",
      description =
          "Split each batch into N shards, one per GPU (DJL multi-device; the loss sees the"
              + " gathered batch). Without N GPUs every shard runs on the CPU in turn"
              + " (default ${DEFAULT-VALUE}).")
  int dataParallel;

  @Option(
      names = "--init-encoder",
      description =
          "Start the image encoder from a torchvision ResNet state_dict (torch.save of"
              + " model.state_dict(); e.g. ImageNet ResNet-18 with --resnet-depth 18"
              + " --resnet-width 64). Ignored when resuming.")
  Path initEncoder;

  @Mixin ArchitectureOptions arch;

  @Override
  public Integer call() throws Exception {
    Pretrainer.Options o =
        new Pretrainer.Options(
            PretrainMethod.parse(method),
            arch.config(),
            batch,
            steps,
            lr,
            weightDecay,
            warmup,
            mask,
            checkpointEvery,
            seed,
            resume,
            cache);
    o = o.withPipeline(workers, prefetch > 0 ? prefetch : 2 * workers);
    if (dataParallel > 1) {
      o = o.withDataParallel(dataParallel);
    }
    if (initEncoder != null) {
      o = o.withInitEncoder(initEncoder);
    }
    Pretrainer.Result r = Pretrainer.train(PretrainData.read(manifest), o, out, LOG::info);
    System.out.printf(
        Locale.ROOT,
        "pretrained %s for %d steps: last loss %.4f, %.1f images/s, peak heap %d MB,"
            + " at most %d batches held; model folder %s%n",
        o.method().id(),
        r.steps(),
        r.lastLoss(),
        r.imagesPerSecond(),
        r.peakHeapBytes() >> 20,
        r.maxResidentBatches(),
        out.toAbsolutePath());
    return 0;
  }
}
