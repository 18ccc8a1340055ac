package org.mammotriage.training.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.training.data.ViewImageLoader;
import org.mammotriage.training.pretrain.Pretrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run bench train}: DJL training steps/s against Debian's python3-torch on the same
 * ResNet, batch, input size and CPU (ratio; goal ≥ 0.9×), and the data pipeline's images/s against
 * the images/s training consumes (goal ≥ 1×: the loader must never be the bottleneck).
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description =
        "Training steps/s of the DJL loop against PyTorch (/usr/bin/python3) on the same ResNet,"
            + " batch and input, and data-pipeline images/s against the step rate.")
public final class BenchTrainCommand implements Callable<Integer> {
  static final double GOAL_TORCH = 0.9;
  static final double GOAL_LOADER = 1.0;

  @Option(names = "--depth", defaultValue = "18", description = "ResNet depth (default 18).")
  int depth;

  @Option(names = "--batch", defaultValue = "8", description = "Batch size (default 8).")
  int batch;

  @Option(names = "--height", defaultValue = "256", description = "Input height (default 256).")
  int height;

  @Option(names = "--width", defaultValue = "160", description = "Input width (default 160).")
  int width;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps (default 3).")
  int warmup;

  @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default 10).")
  int steps;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description =
          "PyTorch threads of the baseline; 0 = its default, as DJL's engine (default 0).")
  int threads;

  @Option(
      names = "--workers",
      description = "Data-pipeline workers (default: as pretraining, the cores, at most 4).")
  int workers = Pretrainer.Options.defaultWorkers();

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "Python with torch and torchvision (default ${DEFAULT-VALUE}).")
  String python;

  @Option(
      names = "--out",
      defaultValue = "target/bench-train.json",
      description =
          "JSON result file; the HTML page is written next to it (x.json -> x.html; default"
              + " ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    System.out.printf(
        Locale.ROOT,
        "bench train: ResNet-%d (width 64, 1 channel, 1 logit), batch %d, %dx%d, AdamW + BCE;"
            + " %d warm-up + %d timed steps%n",
        depth,
        batch,
        height,
        width,
        warmup,
        steps);
    // both engines on the same number of threads: PyTorch's default (or --threads)
    int[] torchThreads = torchThreads();
    int intra = threads > 0 ? threads : torchThreads[0];
    int interop = threads > 0 ? 1 : torchThreads[1];
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intra));
    System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(interop));
    System.out.printf(
        Locale.ROOT, "  threads: %d intra-op, %d inter-op (both engines)%n", intra, interop);
    double djl = TrainBench.djlStepsPerSecond(depth, 64, batch, height, width, warmup, steps);
    System.out.printf(Locale.ROOT, "  DJL (PyTorch engine): %.3f steps/s%n", djl);
    JsonNode torch = torchBaseline(intra);
    double py = torch.get("steps_per_s").asDouble();
    System.out.printf(
        Locale.ROOT,
        "  PyTorch %s (%s threads): %.3f steps/s%n",
        torch.get("torch").asText(),
        torch.get("threads").asText(),
        py);
    double ratio = djl / py;
    System.out.printf(
        Locale.ROOT,
        "  DJL / PyTorch = %.2fx (goal >= %.1fx: %s)%n",
        ratio,
        GOAL_TORCH,
        ratio >= GOAL_TORCH ? "met" : "NOT met");
    double loader = loaderImagesPerSecond();
    double trained = djl * batch;
    double lr = loader / trained;
    System.out.printf(
        Locale.ROOT,
        "  data pipeline (%d workers, full-size working PNGs, decode + resize + augmentation):"
            + " %.1f img/s against %.1f img/s trained = %.2fx (goal >= %.1fx: %s)%n",
        workers,
        loader,
        trained,
        lr,
        GOAL_LOADER,
        lr >= GOAL_LOADER ? "met" : "NOT met");
    ObjectNode j = new ObjectMapper().createObjectNode();
    j.put("depth", depth).put("batch", batch).put("height", height).put("width", width);
    j.put("djl_steps_per_s", djl).put("torch_steps_per_s", py).put("ratio", ratio);
    j.put("torch_version", torch.get("torch").asText()).put("goal", GOAL_TORCH);
    j.put("loader_images_per_s", loader).put("trained_images_per_s", trained);
    j.put("loader_ratio", lr).put("workers", workers);
    j.put("cores", Runtime.getRuntime().availableProcessors());
    j.put("loader_goal", GOAL_LOADER);
    org.mammotriage.report.HtmlReport.writeAtomically(out, j.toPrettyString());
    Path html = org.mammotriage.report.HtmlReport.writeAtomically(htmlPath(out), html(j));
    System.out.println("  written: " + out.toAbsolutePath() + " and " + html.toAbsolutePath());
    return 0;
  }

  /** The HTML page next to the JSON result ({@code x.json} -> {@code x.html}). */
  static Path htmlPath(Path json) {
    String name = json.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return json.resolveSibling(base + ".html");
  }

  /** The result as a page: each ratio as a bar against its goal line, and the figures behind it. */
  static String html(ObjectNode j) {
    org.mammotriage.report.HtmlReport r =
        new org.mammotriage.report.HtmlReport("MammoTriage bench train");
    java.util.Map<String, Object> kv = new java.util.LinkedHashMap<>();
    kv.put("network", "ResNet-" + j.path("depth").asInt() + " (width 64, 1 channel, 1 logit)");
    kv.put(
        "batch, input",
        j.path("batch").asInt() + ", " + j.path("height").asInt() + "x" + j.path("width").asInt());
    kv.put("cores", j.path("cores").asInt());
    kv.put("PyTorch", j.path("torch_version").asText());
    kv.put("data-pipeline workers", j.path("workers").asInt());
    r.keyValues(kv);
    double ratio = j.path("ratio").asDouble();
    double goal = j.path("goal").asDouble();
    double lr = j.path("loader_ratio").asDouble();
    double lgoal = j.path("loader_goal").asDouble();
    r.table(
        List.of("figure", "measured", "baseline", "ratio", "goal", "verdict"),
        List.of(
            goalRow(
                "training steps/s, DJL / PyTorch",
                j.path("djl_steps_per_s").asDouble(),
                j.path("torch_steps_per_s").asDouble(),
                ratio,
                goal),
            goalRow(
                "data pipeline images/s / images/s trained",
                j.path("loader_images_per_s").asDouble(),
                j.path("trained_images_per_s").asDouble(),
                lr,
                lgoal)));
    goalBar(r, "DJL / PyTorch, training steps/s", "DJL / PyTorch", ratio, goal);
    goalBar(r, "data pipeline / training, images/s", "pipeline / trained", lr, lgoal);
    return r.render();
  }

  /**
   * A row of the figures table: measured, baseline, their ratio, its goal (at least) and verdict.
   */
  private static List<String> goalRow(
      String figure, double measured, double baseline, double ratio, double goal) {
    return List.of(
        figure,
        fmt(measured),
        fmt(baseline),
        fmt(ratio),
        ">= " + fmt(goal),
        ratio >= goal ? "met" : "NOT met");
  }

  private static void goalBar(
      org.mammotriage.report.HtmlReport r, String title, String label, double v, double goal) {
    r.chart(
        org.mammotriage.report.SvgPlot.bars()
            .setTitle(title)
            .setCategories(List.of(label))
            .optYLabel("ratio")
            .addSeries("measured", new double[] {v})
            .optReferenceLine(goal, "goal " + fmt(goal))
            .build(),
        "dashed: the goal");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private JsonNode torchBaseline(int intra) throws Exception {
    Path script = Files.createTempFile("train_baseline", ".py");
    try (InputStream in = getClass().getResourceAsStream("/bench/train_baseline.py")) {
      Files.write(script, in.readAllBytes());
    }
    List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
    for (int v : new int[] {depth, 64, batch, height, width, warmup, steps, intra}) {
      cmd.add(Integer.toString(v));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "the PyTorch baseline failed (needs python3-torch and python3-torchvision:"
              + " ./run bench train installs them): "
              + log);
    }
    String last = log.strip().lines().reduce((a, b) -> b).orElse("{}");
    Files.deleteIfExists(script);
    return new ObjectMapper().readTree(last);
  }

  /** PyTorch's default intra-op and inter-op thread counts on this machine. */
  private int[] torchThreads() throws Exception {
    Process p =
        new ProcessBuilder(
                python,
                "-c",
                "import torch; print(torch.get_num_threads(), torch.get_num_interop_threads())")
            .redirectErrorStream(true)
            .start();
    String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(2, TimeUnit.MINUTES);
    try {
      String[] t = s.lines().reduce((a, b) -> b).orElse("1 1").trim().split("\\s+");
      return new int[] {Integer.parseInt(t[0]), Integer.parseInt(t[1])};
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalStateException("cannot run PyTorch with " + python + ": " + s, e);
    }
  }

  /** Full-size (1520×912) working PNGs decoded, resized and augmented by the pipeline. */
  private double loaderImagesPerSecond() throws Exception {
    Path dir = Files.createTempDirectory("bench-train-images");
    List<Path> images = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      BufferedImage img = new BufferedImage(912, 1520, BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 1520; y++) {
        for (int x = 0; x < 912; x++) {
          double dx = x / (600.0 + 20 * k);
          double dy = (y - 760.0) / 700;
          int v = dx * dx + dy * dy < 1 ? 90 + ((x * 7 + y * 13 + k * 29) % 120) : 0;
          img.getRaster().setSample(x, y, 0, v);
        }
      }
      Path p = dir.resolve("wi-" + k + ".png");
      ImageIO.write(img, "png", p.toFile());
      images.add(p);
    }
    ViewImageLoader loader = new ViewImageLoader(Preprocessor.defaults(), height, width, 0.2, 0.25);
    TrainBench.loaderImagesPerSecond(loader, images, batch, workers, 2); // warm-up
    double rate =
        TrainBench.loaderImagesPerSecond(loader, images, batch, workers, Math.max(4, steps));
    for (Path p : images) {
      Files.deleteIfExists(p);
    }
    Files.deleteIfExists(dir);
    return rate;
  }
}
