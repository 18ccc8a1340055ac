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
import org.mammotriage.training.model.EfficientNetEncoder;
import org.mammotriage.training.pretrain.PretrainedModel;

/**
 * The {@code --backbone} option through the real training CLI, at tiny sizes: {@code pretrain
 * --backbone efficientnet} (GLAM, whose local alignment reads the backbone's feature map) whose
 * image tower is then exported, and the whole {@code demo-model} chain with {@code --backbone vit}
 * — pretraining, heads, evaluation and the ONNX export with its parity checks.
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
  void shouldPretrainAnEfficientNetWithGlamThroughTheCliAndExportItsImageTower(@TempDir Path tmp)
      throws Exception {
    // given a tiny synthetic archive
    Path archive = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(8, 5).withScale(0.05)).generate(archive);
    Path out = tmp.resolve("efficientnet");

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
            "efficientnet");

    // then: trained, the config says EfficientNet, and its image tower exports with parity
    assertThat(code).isZero();
    JsonNode cfg = new ObjectMapper().readTree(out.resolve(PretrainedModel.JSON_FILE).toFile());
    assertThat(cfg.path("config").path("backbone").path("type").asText()).isEqualTo("efficientnet");
    assertThat(cfg.path("config").path("backbone").path("depthMultiplier").asDouble())
        .isEqualTo(0.25);
    try (NDManager m = NDManager.newBaseManager()) {
      PretrainedModel pm = PretrainedModel.load(out, m);
      assertThat(pm.net().imageTower().encoder()).isInstanceOf(EfficientNetEncoder.class);
      byte[] onnx =
          new ExamModelGraphs(OnnxExporter.standard())
              .imageEncoder(pm.net().imageTower(), 64, 40, 16)
              .toByteArray();
      NDArray x = m.randomNormal(0f, 1f, new Shape(4, 1, 64, 40), DataType.FLOAT32);
      double diff =
          ParityCheck.maxAbsDiff(
              onnx, pm.net().imageTower(), ExamModelGraphs.IMAGE, ExamModelGraphs.EMBEDDING, x);
      System.out.printf("parity pretrained EfficientNet image tower: %s%n", diff);
      assertThat(diff).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE);
    }

    // and a torchvision ResNet state_dict is refused for it, saying what to do
    StringWriter err = new StringWriter();
    int refused =
        TrainMain.commandLine()
            .setErr(new PrintWriter(err))
            .execute(
                "pretrain",
                "--method",
                "clip",
                "--manifest",
                archive.resolve("manifest.csv").toString(),
                "--out",
                tmp.resolve("r").toString(),
                "--max-steps",
                "1",
                "--batch",
                "4",
                "--workers",
                "1",
                "--image-cache",
                tmp.resolve("cache").toString(),
                "--backbone",
                "efficientnet",
                "--init-encoder",
                tmp.resolve("resnet18.pt").toString());
    assertThat(refused).isNotZero();
    assertThat(err.toString()).contains("torchvision ResNet", "--backbone resnet");
  }

  @Test
  void shouldRefuseAnUnknownBackboneWithTheChoices() {
    StringWriter err = new StringWriter();
    int code =
        TrainMain.commandLine()
            .setErr(new PrintWriter(err))
            .execute(
                "pretrain",
                "--method",
                "clip",
                "--manifest",
                "m.csv",
                "--out",
                "o",
                "--backbone",
                "densenet");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--backbone must be resnet, efficientnet or vit");
  }

  @Test
  void shouldBuildTheDemoModelWithAVitEndToEnd(@TempDir Path tmp) throws Exception {
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
                "vit",
                "--vit-patch",
                "8",
                "--vit-dim",
                "16",
                "--vit-layers",
                "1"));
    args.addAll(List.of(TINY));

    // when
    int code = run(args.toArray(String[]::new));

    // then: exported (ModelExport refuses parity above 1e-4), loadable, described
    assertThat(code).isZero();
    JsonNode parity =
        new ObjectMapper()
            .readTree(out.resolve(ModelManifest.FILE).toFile())
            .findValue("parity_max_abs_diff");
    System.out.printf("parity demo model with ViT: %s%n", parity);
    assertThat(parity).isNotNull();
    parity.forEach(d -> assertThat(d.asDouble()).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
    try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
      assertThat(loaded.info().intendedUse()).contains("ViT/8 (dim 16, 1 layers, CLS pooling)");
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
