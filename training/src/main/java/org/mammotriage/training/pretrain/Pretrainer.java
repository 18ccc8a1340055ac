package org.mammotriage.training.pretrain;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.progress.Progress;
import org.mammotriage.training.augment.Augmentation;
import org.mammotriage.training.data.Prefetcher;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.loss.ClipLoss;
import org.mammotriage.training.loss.GlamLoss;
import org.mammotriage.training.loss.MamaLoss;
import org.mammotriage.training.loss.MvClipLoss;
import org.mammotriage.training.loss.PretrainLoss;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.model.PretrainNet;
import org.mammotriage.training.report.Tokenizer;

/**
 * The pretraining loop for CLIP, MV-CLIP, GLAM and MaMA: batches of breasts (CC + MLO + one report
 * per breast), meta-information masking of the reports, AdamW with warm-up and cosine decay,
 * checkpoints every N steps and resume, a progress line with loss, images/s and ETA.
 *
 * <p>Batches stream: {@link Prefetcher} workers build each step's batch (images from the
 * working-image cache, augmentation, reports) ahead of the training thread, at most {@code
 * prefetch} batches at a time, so memory does not grow with the archive.
 *
 * <p>Deterministic for a seed: the data order of step s depends only on (seed, epoch of s), the
 * masking/view/augmentation draws and the engine's random stream only on (seed, s), whatever the
 * number of workers. A checkpoint holds the parameters and AdamW's state ({@link
 * CheckpointedAdamW}); with the step it names, that is everything a step depends on, so a resumed
 * run gives the losses of an uninterrupted one.
 */
public final class Pretrainer {
  public static final String CHECKPOINT_DIR = "checkpoints";
  public static final String HISTORY_FILE = "history.csv";

  /**
   * Settings of a run. {@code config.textMaxLength() == 0} sizes the text to the longest report.
   */
  public record Options(
      PretrainMethod method,
      ModelConfig config,
      int batchSize,
      int maxSteps,
      float learningRate,
      float weightDecay,
      int warmupSteps,
      double maskProbability,
      int checkpointEvery,
      long seed,
      boolean resume,
      Path imageCache,
      Augmentation.Params augment,
      int workers,
      int prefetch,
      Path initEncoder,
      Ablation ablation,
      int dataParallel) {

    /** Data-pipeline workers by default: the cores, at most 4 (the rest of a core trains). */
    public static int defaultWorkers() {
      return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** Settings with the default data pipeline ({@link #defaultWorkers}, prefetch 2 per worker). */
    public Options(
        PretrainMethod method,
        ModelConfig config,
        int batchSize,
        int maxSteps,
        float learningRate,
        float weightDecay,
        int warmupSteps,
        double maskProbability,
        int checkpointEvery,
        long seed,
        boolean resume,
        Path imageCache,
        Augmentation.Params augment) {
      this(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          augment,
          defaultWorkers(),
          2 * defaultWorkers(),
          null,
          Ablation.NONE,
          1);
    }

    /** The same settings with another data pipeline (results do not depend on it). */
    public Options withPipeline(int newWorkers, int newPrefetch) {
      return new Options(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          augment,
          newWorkers,
          newPrefetch,
          initEncoder,
          ablation,
          dataParallel);
    }

    /**
     * The same settings, starting the image encoder from a torchvision ResNet {@code state_dict}
     * ({@link org.mammotriage.training.model.TorchvisionResNetWeights}, RGB stem summed to one
     * channel); the architecture must match it (ResNet-18: depth 18, width 64).
     */
    public Options withInitEncoder(Path stateDict) {
      return new Options(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          augment,
          workers,
          prefetch,
          stateDict,
          ablation,
          dataParallel);
    }

    /**
     * The same settings with each batch split into {@code shards} shards, one per device ({@link
     * DataParallel}): GPUs when there are that many, else every shard on the CPU.
     */
    public Options withDataParallel(int shards) {
      return new Options(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          augment,
          workers,
          prefetch,
          initEncoder,
          ablation,
          shards);
    }

    /**
     * The same settings with one term of the objective switched off (an ablation of the comparison,
     * issue #22); {@link Ablation#NONE} is the paper's objective.
     */
    public Options withAblation(Ablation a) {
      if (!a.appliesTo(method)) {
        throw new IllegalArgumentException(
            "ablation " + a.id() + " does not apply to " + method.id() + ": " + a.description());
      }
      return new Options(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          augment,
          workers,
          prefetch,
          initEncoder,
          a,
          dataParallel);
    }

    /** Settings with MV-MLM's affine + elastic augmentation (what every method trains with). */
    public Options(
        PretrainMethod method,
        ModelConfig config,
        int batchSize,
        int maxSteps,
        float learningRate,
        float weightDecay,
        int warmupSteps,
        double maskProbability,
        int checkpointEvery,
        long seed,
        boolean resume,
        Path imageCache) {
      this(
          method,
          config,
          batchSize,
          maxSteps,
          learningRate,
          weightDecay,
          warmupSteps,
          maskProbability,
          checkpointEvery,
          seed,
          resume,
          imageCache,
          Augmentation.Params.mvMlm());
    }

    public Options {
      if (batchSize < 2) {
        throw new IllegalArgumentException(
            "batch size must be at least 2 (contrastive losses need negatives), got " + batchSize);
      }
      if (maxSteps < 1) {
        throw new IllegalArgumentException("max steps must be >= 1, got " + maxSteps);
      }
      if (ablation == null) {
        ablation = Ablation.NONE;
      }
      if (dataParallel < 1 || dataParallel > batchSize / 2) {
        throw new IllegalArgumentException(
            "data-parallel shards must be between 1 and batch/2 = "
                + batchSize / 2
                + " (each shard needs 2 samples), got "
                + dataParallel);
      }
      if (workers < 1 || prefetch < 1) {
        throw new IllegalArgumentException(
            "data-pipeline workers and prefetch must be >= 1, got " + workers + ", " + prefetch);
      }
    }

    JsonNode toJson() {
      ObjectNode j = PretrainedModel.JSON.createObjectNode();
      j.put("batch_size", batchSize);
      j.put("max_steps", maxSteps);
      j.put("learning_rate", learningRate);
      j.put("weight_decay", weightDecay);
      j.put("warmup_steps", warmupSteps);
      j.put("mask_probability", maskProbability);
      j.put("seed", seed);
      if (initEncoder != null) {
        j.put("init_encoder", initEncoder.getFileName().toString());
      }
      if (dataParallel > 1) {
        j.put("data_parallel_shards", dataParallel);
      }
      if (ablation != Ablation.NONE) {
        j.put("ablation", ablation.id());
        j.put("ablation_description", ablation.description());
      }
      j.put("optimizer", "AdamW, linear warm-up then cosine decay to 1% of the rate");
      j.set("augmentation", JSON_OF.valueToTree(augment));
      PretrainMethod.Temperatures t = method.temperatures();
      j.set("temperatures", JSON_OF.valueToTree(t));
      if (method == PretrainMethod.MAMA) {
        j.put("sla_from_step", slaStart(maxSteps));
      }
      return j;
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON_OF = PretrainedModel.JSON;

  /** MaMA adds its local loss after 20 % of the steps (8k of 40k, MaMA §4.1 and A.4). */
  static int slaStart(int maxSteps) {
    return (int) Math.ceil(0.2 * maxSteps);
  }

  /**
   * What a run produced.
   *
   * @param maxResidentBatches the most batches the data pipeline held at once (its memory bound)
   * @param peakHeapBytes the largest used heap seen after a step (garbage included: an upper bound)
   * @param dataWaitSeconds how long the training thread waited for the data pipeline
   */
  public record Result(
      Path dir,
      int steps,
      double lastLoss,
      double imagesPerSecond,
      List<String> history,
      int maxResidentBatches,
      long peakHeapBytes,
      double dataWaitSeconds) {}

  private Pretrainer() {}

  public static PretrainLoss lossOf(PretrainMethod m) {
    return lossOf(m, Ablation.NONE);
  }

  /** The objective of {@code m} with the term {@code a} names switched off. */
  public static PretrainLoss lossOf(PretrainMethod m, Ablation a) {
    if (a == Ablation.NO_VIEW_TERM) {
      return new MvClipLoss(0f);
    }
    if (a == Ablation.NO_LOCAL_TERM) {
      return new GlamLoss(0f);
    }
    return switch (m) {
      case CLIP -> new ClipLoss();
      case MVCLIP -> new MvClipLoss();
      case GLAM -> new GlamLoss();
      case MAMA -> new MamaLoss();
    };
  }

  /** Pretrains on the train split of {@code data} and writes the model folder {@code out}. */
  public static Result train(PretrainData data, Options o, Path out, Consumer<String> progress)
      throws IOException {
    return train(data, o, out, progress, null);
  }

  /**
   * As {@link #train(PretrainData, Options, Path, Consumer)}, reading images through {@code shared}
   * (a loader several runs share, so its memory cache is filled once); null makes one.
   */
  public static Result train(
      PretrainData data, Options o, Path out, Consumer<String> progress, ViewImageLoader shared)
      throws IOException {
    PretrainMethod method = o.method();
    List<BreastSample> train = data.split("train", method.ccMloPairs());
    if (train.size() < 2) {
      throw new IllegalArgumentException(
          "pretraining needs at least 2 training breasts"
              + (method.ccMloPairs() ? " with both CC and MLO" : "")
              + " in the manifest's 'train' split; found "
              + train.size());
    }
    Files.createDirectories(out.resolve(CHECKPOINT_DIR));
    Tokenizer tokenizer;
    int startStep = 0;
    Path checkpoint = o.resume() ? latestCheckpoint(out) : null;
    if (checkpoint != null) {
      tokenizer = Tokenizer.load(out);
      startStep = stepOf(checkpoint);
      progress.accept("resuming from " + checkpoint.getFileName() + " (step " + startStep + ")");
    } else {
      tokenizer = Tokenizer.build(data.corpus(), 1);
      tokenizer.save(out);
    }
    ModelConfig config = sized(o.config(), tokenizer, data);
    int batch = Math.min(o.batchSize(), train.size());
    Files.writeString(
        out.resolve(PretrainedModel.JSON_FILE),
        PretrainedModel.JSON.writeValueAsString(
            PretrainedModel.describe(method, config, o.toJson(), startStep)));

    // pixels stream from the working-image cache; the memory cache is bounded by the heap
    ViewImageLoader loader =
        shared != null
            ? shared
            : new ViewImageLoader(
                    Preprocessor.defaults(),
                    config.inputHeight(),
                    config.inputWidth(),
                    config.normMean(),
                    config.normStd())
                .withDiskCache(o.imageCache() != null ? o.imageCache() : out.resolve("image-cache"))
                .withMemoryCache();

    // DICOM is preprocessed before training starts: bounded memory (nothing is kept), and
    // preprocessing that runs while the engine trains was seen to perturb the engine's float
    // results, which would break the identity of a run and its resumed twin
    ensureWorkingImages(loader, train, progress);

    Engine.getInstance().setRandomSeed((int) o.seed());
    PretrainNet net = new PretrainNet(method, config);
    PretrainLoss loss = lossOf(method, o.ablation());
    List<String> history = new ArrayList<>();
    Path historyFile = out.resolve(HISTORY_FILE);
    if (checkpoint == null || !Files.isRegularFile(historyFile)) {
      StringBuilder header = new StringBuilder("step,lr,loss");
      loss.partNames().forEach(p -> header.append(',').append(p));
      Files.writeString(historyFile, header + "\n", StandardCharsets.UTF_8);
    } else {
      truncateHistory(historyFile, startStep);
    }
    Path optimizerState = checkpoint == null ? null : stateOf(checkpoint);
    boolean exact = optimizerState != null && Files.isRegularFile(optimizerState);
    if (checkpoint != null && !exact) {
      progress.accept(
          "checkpoint "
              + checkpoint.getFileName()
              + " has no optimizer state (written by an older version): AdamW restarts its"
              + " moments, so the resumed run is not identical to an uninterrupted one");
    }
    // with the optimizer's update count restored the schedule needs no offset
    WarmupCosine schedule =
        new WarmupCosine(
            o.learningRate(), o.warmupSteps(), o.maxSteps(), 0.01f, exact ? 0 : startStep);
    CheckpointedAdamW optimizer = new CheckpointedAdamW(schedule, o.weightDecay());
    double lastLoss = Double.NaN;
    long images = 0;
    long peakHeap = 0;
    int maxResident;
    double waited;
    long t0 = System.nanoTime();
    try (Model model = Model.newInstance("pretrain-" + method.id())) {
      model.setBlock(net);
      Device[] shardDevices = DataParallel.devices(o.dataParallel());
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(loss)
              .optOptimizer(optimizer)
              .optDevices(DataParallel.distinct(shardDevices));
      if (o.dataParallel() > 1) {
        progress.accept(
            "data parallel: "
                + o.dataParallel()
                + " shards per batch on "
                + java.util.Arrays.toString(shardDevices));
      }
      if (checkpoint == null && o.initEncoder() != null) {
        // set before the trainer initialises, which keeps them and marks them for gradients
        net.initialize(model.getNDManager(), DataType.FLOAT32, net.inputShapes(batch));
        if (!(net.imageTower().encoder()
            instanceof org.mammotriage.training.model.ResNetEncoder resNet)) {
          throw new IllegalArgumentException(
              "--init-encoder loads a torchvision ResNet state_dict; this model's backbone is "
                  + config.backboneType()
                  + " (use --backbone resnet, or leave out --init-encoder)");
        }
        List<String> unused =
            org.mammotriage.training.model.TorchvisionResNetWeights.load(
                resNet, org.mammotriage.training.model.TorchStateDict.read(o.initEncoder()), true);
        progress.accept(
            "image encoder initialised from "
                + o.initEncoder().getFileName()
                + " (torchvision ResNet, stem summed to one channel; not used: "
                + unused.size()
                + " keys, e.g. fc.*)");
      }
      if (checkpoint != null) {
        // loaded before the trainer initialises: it keeps initialised parameters and marks them
        // for gradients (arrays loaded afterwards would get none and never train)
        net.initialize(model.getNDManager(), DataType.FLOAT32, net.inputShapes(batch));
        PretrainedModel.readParams(net, model.getNDManager(), checkpoint);
      }
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(net.inputShapes(batch));
        // refuse to learn from wrong gradients (oneDNN's AVX-512 fault; see the class)
        org.mammotriage.training.model.ConvGradientCheck.requireCorrect(
            net, shardDevices[0], progress);
        if (checkpoint != null) {
          if (exact) {
            try (var in =
                new java.io.DataInputStream(
                    new java.io.BufferedInputStream(Files.newInputStream(optimizerState)))) {
              optimizer.load(net, in);
            }
          }
        }
        PretrainBatches batches =
            new PretrainBatches(
                method,
                config,
                tokenizer,
                loader,
                o.maskProbability(),
                o.augment(),
                data.studyImages(),
                net.featureShape(),
                o.seed());
        int sla = slaStart(o.maxSteps());
        Progress bar =
            new Progress(
                "pretrain " + method.id(), "img", o.maxSteps() - startStep, 10_000, progress);
        DataOrder order = new DataOrder(train, batch, o.seed());
        try (Prefetcher<PretrainBatches.Host> pipe =
            new Prefetcher<>(
                startStep,
                o.maxSteps(),
                step ->
                    batches.prepare(
                        order.batch(step),
                        step,
                        step >= sla ? 1f : 0f,
                        new Random(o.seed() * 1_000_003L + step)),
                o.workers(),
                o.prefetch())) {
          java.lang.management.MemoryMXBean mem =
              java.lang.management.ManagementFactory.getMemoryMXBean();
          for (int step = startStep; step < o.maxSteps(); step++) {
            // the engine's stream is a function of (seed, step): a resumed run draws the same
            Engine.getInstance().setRandomSeed((int) (o.seed() * 1_000_033L + step));
            float[] parts;
            int stepImages;
            PretrainBatches.Host host = pipe.next();
            try (NDManager sub = model.getNDManager().newSubManager()) {
              PretrainBatches.Batch in = host.toNd(sub);
              stepImages = host.images();
              host = null;
              pipe.release();
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList pred = DataParallel.forward(trainer, in.inputs(), shardDevices);
                NDList terms = loss.parts(in.labels(), pred);
                gc.backward(terms.get(0));
                parts = new float[terms.size()];
                for (int i = 0; i < terms.size(); i++) {
                  parts[i] = terms.get(i).getFloat();
                }
              }
              trainer.step();
            }
            if (!Float.isFinite(parts[0])) {
              throw new IllegalStateException(
                  "pretraining diverged at step "
                      + (step + 1)
                      + " (loss "
                      + parts[0]
                      + "); lower --lr or raise --warmup");
            }
            lastLoss = parts[0];
            images += stepImages;
            peakHeap = Math.max(peakHeap, mem.getHeapMemoryUsage().getUsed());
            String line = historyLine(step + 1, schedule.at(step), parts);
            history.add(line);
            Files.writeString(
                historyFile,
                line + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
            bar.update(
                step + 1 - startStep,
                images,
                detail(loss, parts, schedule.at(step))
                    + String.format(Locale.ROOT, ", data wait %.1fs", pipe.waitSeconds()));
            boolean last = step + 1 == o.maxSteps();
            if (o.checkpointEvery() > 0 && ((step + 1) % o.checkpointEvery() == 0 || last)) {
              saveCheckpoint(net, optimizer, out, step + 1);
            }
          }
          maxResident = pipe.maxResident();
          waited = pipe.waitSeconds();
        }
      }
      PretrainedModel.writeParams(net, out.resolve(PretrainedModel.PARAMS_FILE));
      Files.writeString(
          out.resolve(PretrainedModel.JSON_FILE),
          PretrainedModel.JSON.writeValueAsString(
              PretrainedModel.describe(method, config, o.toJson(), o.maxSteps())));
    }
    if (Double.isNaN(lastLoss)) {
      // a resumed run that had nothing left to do: report the loss the history ends with
      List<String> lines = Files.readAllLines(historyFile, StandardCharsets.UTF_8);
      String last = lines.get(lines.size() - 1);
      if (!last.startsWith("step")) {
        lastLoss = Double.parseDouble(last.split(",")[2]);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double rate = images / Math.max(1e-9, secs);
    progress.accept(
        String.format(
            Locale.ROOT,
            "pretrain %s: %d images in %.1f s (%.1f img/s); data pipeline %d workers, prefetch %d,"
                + " at most %d batches held, training waited %.1f s for data; peak heap %d MB",
            method.id(),
            images,
            secs,
            rate,
            o.workers(),
            o.prefetch(),
            maxResident,
            waited,
            peakHeap >> 20));
    return new Result(out, o.maxSteps(), lastLoss, rate, history, maxResident, peakHeap, waited);
  }

  /**
   * The breasts of each step: the order within an epoch is a permutation drawn from (seed, epoch),
   * so the data position of a step is the step itself. Thread-safe; keeps the two newest epochs'
   * permutations.
   */
  static final class DataOrder {
    private final List<BreastSample> train;
    private final int batch;
    private final long seed;
    private final int perEpoch;
    private final java.util.Map<Integer, int[]> epochs = new java.util.LinkedHashMap<>();

    DataOrder(List<BreastSample> train, int batch, long seed) {
      this.train = train;
      this.batch = batch;
      this.seed = seed;
      this.perEpoch = Math.max(1, train.size() / batch);
    }

    List<BreastSample> batch(int step) {
      int[] order = order(step / perEpoch);
      int from = (step % perEpoch) * batch;
      List<BreastSample> b = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        b.add(train.get(order[from + i]));
      }
      return b;
    }

    private synchronized int[] order(int epoch) {
      int[] o = epochs.get(epoch);
      if (o == null) {
        o =
            org.mammotriage.training.data.Permutation.of(
                train.size(), new Random(seed * 7919L + epoch));
        epochs.put(epoch, o);
        if (epochs.size() > 2) {
          epochs.remove(epochs.keySet().iterator().next());
        }
      }
      return o;
    }
  }

  /** Drops history lines after {@code step} (written after the checkpoint a run resumes from). */
  private static void truncateHistory(Path file, int step) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    StringBuilder kept = new StringBuilder();
    for (String l : lines) {
      if (l.startsWith("step") || Integer.parseInt(l.substring(0, l.indexOf(','))) <= step) {
        kept.append(l).append('\n');
      }
    }
    Files.writeString(file, kept.toString(), StandardCharsets.UTF_8);
  }

  /**
   * One un-augmented batch of {@code b} (step 0, local weight 1), as a training step would see it:
   * for tests and inspection.
   */
  static PretrainBatches.Batch batch(
      NDManager m,
      List<BreastSample> b,
      PretrainMethod method,
      ModelConfig config,
      Tokenizer tokenizer,
      ViewImageLoader loader,
      double maskProbability,
      Random rnd)
      throws IOException {
    java.util.Map<String, List<Path>> studies = new java.util.LinkedHashMap<>();
    for (BreastSample s : b) {
      List<Path> l = studies.computeIfAbsent(s.row().studyUid(), k -> new ArrayList<>());
      Stream.of(s.cc(), s.mlo()).filter(p -> p != null).forEach(l::add);
    }
    return new PretrainBatches(
            method,
            config,
            tokenizer,
            loader,
            maskProbability,
            Augmentation.Params.none(),
            studies,
            new PretrainNet(method, config).featureShape(),
            0)
        .build(m, b, 0, 1f, rnd);
  }

  /** The config with the vocabulary size and, when 0, the text length filled in. */
  static ModelConfig sized(ModelConfig c, Tokenizer tok, PretrainData data) {
    int len = c.textMaxLength() > 0 ? c.textMaxLength() : data.longestReport(tok);
    return new ModelConfig(
        c.inputHeight(),
        c.inputWidth(),
        c.resnetDepth(),
        c.width(),
        c.tokenLayers(),
        c.tokenDim(),
        c.embeddingDim(),
        c.textDim(),
        c.textLayers(),
        c.heads(),
        len,
        tok.size(),
        c.glamGrid(),
        c.glamDim(),
        c.normMean(),
        c.normStd(),
        c.backbone());
  }

  /** Loads (and caches) every CC and MLO image of {@code breasts}, in parallel, with progress. */
  public static void warm(
      ViewImageLoader loader, List<BreastSample> breasts, Consumer<String> progress) {
    preload(loader, breasts, progress);
  }

  /**
   * Writes the working image of every view of {@code breasts} that is not in the loader's disk
   * cache yet, in parallel, keeping no pixels in memory.
   */
  static void ensureWorkingImages(
      ViewImageLoader loader, List<BreastSample> breasts, Consumer<String> progress) {
    forEachView(breasts, "working-image cache", loader::ensureWorkingImage, progress);
  }

  private static void preload(
      ViewImageLoader loader, List<BreastSample> train, Consumer<String> progress) {
    forEachView(train, "working images", loader::load, progress);
  }

  /** What is done with one view's file. */
  @FunctionalInterface
  private interface ViewAction {
    void apply(Path p) throws IOException;
  }

  /**
   * Runs {@code action} on every distinct view file of {@code breasts}, in parallel, with a bar.
   */
  private static void forEachView(
      List<BreastSample> breasts, String label, ViewAction action, Consumer<String> progress) {
    Set<Path> paths = new LinkedHashSet<>();
    for (BreastSample s : breasts) {
      Stream.of(s.cc(), s.mlo()).filter(p -> p != null).forEach(paths::add);
    }
    List<Path> all = new ArrayList<>(paths);
    Progress bar = new Progress(label, "img", all.size(), 10_000, progress);
    AtomicInteger done = new AtomicInteger();
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      pool.submit(
              () ->
                  all.parallelStream()
                      .forEach(
                          p -> {
                            try {
                              action.apply(p);
                            } catch (IOException e) {
                              throw new UncheckedIOException(e);
                            }
                            int d = done.incrementAndGet();
                            synchronized (bar) {
                              bar.update(d, d, "");
                            }
                          }))
          .join();
    } finally {
      pool.shutdown();
    }
  }

  private static String historyLine(int step, float lr, float[] parts) {
    StringBuilder s =
        new StringBuilder().append(step).append(',').append(String.format(Locale.ROOT, "%.6g", lr));
    for (float p : parts) {
      s.append(',').append(String.format(Locale.ROOT, "%.6f", p));
    }
    return s.toString();
  }

  private static String detail(PretrainLoss loss, float[] parts, float lr) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "loss %.4f (", parts[0]));
    List<String> names = loss.partNames();
    for (int i = 0; i < names.size(); i++) {
      s.append(i == 0 ? "" : ", ")
          .append(names.get(i))
          .append(String.format(Locale.ROOT, " %.3f", parts[i + 1]));
    }
    return s.append(String.format(Locale.ROOT, ") lr %.2e", lr)).toString();
  }

  /**
   * Writes {@code step-NNNNNNN.params} (parameters) and {@code step-NNNNNNN.state} (AdamW's moments
   * and update counts), each to a temporary name moved into place; keeps the two newest.
   */
  static void saveCheckpoint(PretrainNet net, CheckpointedAdamW optimizer, Path out, int step)
      throws IOException {
    Path dir = out.resolve(CHECKPOINT_DIR);
    Path params = dir.resolve(String.format(Locale.ROOT, "step-%07d.params", step));
    Path tmp = Files.createTempFile(dir, "state", ".tmp");
    try (var o =
        new java.io.DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
      optimizer.save(net, o);
    }
    Files.move(tmp, stateOf(params), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    PretrainedModel.writeParams(net, params);
    // keep the two newest: enough to survive a crash while writing
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> old =
          s.filter(p -> p.getFileName().toString().matches("step-\\d{7}\\.params"))
              .sorted()
              .toList();
      for (int i = 0; i < old.size() - 2; i++) {
        Files.deleteIfExists(old.get(i));
        Files.deleteIfExists(stateOf(old.get(i)));
      }
    }
  }

  /** The optimizer-state file of a checkpoint's parameter file. */
  static Path stateOf(Path params) {
    String n = params.getFileName().toString();
    return params.resolveSibling(n.substring(0, n.length() - ".params".length()) + ".state");
  }

  /** The newest checkpoint in {@code out}, or null. */
  static Path latestCheckpoint(Path out) throws IOException {
    Path dir = out.resolve(CHECKPOINT_DIR);
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d{7}\\.params"))
          .sorted()
          .reduce((a, b) -> b)
          .orElse(null);
    }
  }

  static int stepOf(Path checkpoint) {
    String n = checkpoint.getFileName().toString();
    return Integer.parseInt(n.substring(5, 12));
  }
}
