package org.mammotriage.training.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.cli.TrainMain;
import org.mammotriage.training.export.ExamModelGraphs;
import org.mammotriage.training.export.ModelExport;
import org.mammotriage.training.export.OnnxExporter;
import org.mammotriage.training.export.ParityCheck;
import org.mammotriage.training.model.VitEncoder;
import org.mammotriage.training.pretrain.PretrainedModel;

/**
 * The {@code --backbone} option through the real training CLI, at tiny sizes: {@code pretrain
 * --backbone vit} (GLAM, whose local alignment reads the ViT's patch-token feature map) and the
 * whole {@code demo-model} chain with {@code --backbone efficientnet} — pretraining, heads,
 * evaluation and the ONNX export with its parity checks.
 */
class BackboneCommandsTest {
  private static final String[] TINY = {
    "--height",
    "64",
    "--width",
    "40",
    "--embedding-dim",
    "16",
    "--text-dim",
    "16",
    "--text-layers",
    "1",
    "--heads",
    "2",
    "--resnet-width",
    "8"
  };

  @Test
  void shouldPretrainAVitWithGlamThroughTheCliAndExportItsImageTower(@TempDir Path tmp)
      throws Exception {
    // given a tiny synthetic archive
    Path archive = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(8, 5).withScale(0.05)).generate(archive);
    Path out = tmp.resolve("vit");

    // when
    int code =
        run(
            "pretrain",
            "--method",
            "glam",
            "--manifest",
            archive.resolve("manifest.csv").toString(),
            "--out",
            out.toString(),
            "--max-steps",
            "2",
            "--batch",
            "4",
            "--workers",
            "1",
            "--image-cache",
            tmp.resolve("cache").toString(),
            "--backbone",
            "vit",
            "--vit-patch",
            "8",
            "--vit-dim",
            "16",
            "--vit-layers",
            "1");

    // then: trained, the config says ViT, and its image tower exports with parity
    assertThat(code).isZero();
    JsonNode cfg = new ObjectMapper().readTree(out.resolve(PretrainedModel.JSON_FILE).toFile());
    assertThat(cfg.path("config").path("backbone").path("type").asText()).isEqualTo("vit");
    assertThat(cfg.path("config").path("tokenLayers").asInt()).isZero();
    try (NDManager m = NDManager.newBaseManager()) {
      PretrainedModel pm = PretrainedModel.load(out, m);
      assertThat(pm.net().imageTower().encoder()).isInstanceOf(VitEncoder.class);
      byte[] onnx =
          new ExamModelGraphs(OnnxExporter.standard())
              .imageEncoder(pm.net().imageTower(), 64, 40, 16)
              .toByteArray();
      NDArray x = m.randomNormal(0f, 1f, new Shape(4, 1, 64, 40), DataType.FLOAT32);
      double diff =
          ParityCheck.maxAbsDiff(
              onnx, pm.net().imageTower(), ExamModelGraphs.IMAGE, ExamModelGraphs.EMBEDDING, x);
      System.out.printf("parity pretrained ViT image tower: %s%n", diff);
      assertThat(diff).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE);
    }
  }

  @Test
  void shouldBuildTheDemoModelWithAnEfficientNetEndToEnd(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("model");
    List<String> args =
        new ArrayList<>(
            List.of(
                "demo-model",
                "--out",
                out.toString(),
                "--work",
                tmp.resolve("work").toString(),
                // cancer-enriched, a seed whose small validation and test splits hold cancers
                "--patients",
                "16",
                "--seed",
                "3",
                "--synth-scale",
                "0.05",
                "--malignant-share",
                "0.5",
                "--pretrain-steps",
                "2",
                "--batch",
                "4",
                "--fine-tune-steps",
                "0",
                "--head-epochs",
                "2",
                "--backbone",
                "efficientnet",
                "--efficientnet-depth",
                "0.25"));
    args.addAll(List.of(TINY));

    // when
    int code = run(args.toArray(String[]::new));

    // then: exported (ModelExport refuses parity above 1e-4), loadable, described
    assertThat(code).isZero();
    JsonNode parity =
        new ObjectMapper()
            .readTree(out.resolve(ModelManifest.FILE).toFile())
            .findValue("parity_max_abs_diff");
    System.out.printf("parity demo model with EfficientNet: %s%n", parity);
    assertThat(parity).isNotNull();
    parity.forEach(d -> assertThat(d.asDouble()).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
    try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
      assertThat(loaded.info().intendedUse()).contains("EfficientNet (stem 8, depth x0.25");
      assertThat(loaded.manifest().inputHeight()).isEqualTo(64);
    }
    assertThat(Files.readString(out.resolve("README.md"))).contains("NOT for clinical use");
  }

  private static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = TrainMain.commandLine().setErr(new PrintWriter(err)).execute(args);
    assertThat(err.toString()).as("stderr of %s", args[0]).doesNotContain("Exception");
    return code;
  }
}
