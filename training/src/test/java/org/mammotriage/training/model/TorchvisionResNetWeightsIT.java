package org.mammotriage.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torchvision ResNet-18 (random init, randomised BN statistics) saved by Debian's python3-torch
 * with {@code torch.save(state_dict)}, loaded into {@link ResNetEncoder} through {@link
 * TorchStateDict} and {@link TorchvisionResNetWeights}: the feature maps equal PyTorch's on the
 * same input (≤ 1e-4), RGB and grayscale (summed stem filters vs the image repeated on 3 channels).
 */
class TorchvisionResNetWeightsIT {
  static final String PYTHON = "/usr/bin/python3";
  static final int H = 64;
  static final int W = 96;
  @TempDir static Path dir;

  @BeforeAll
  static void saveWithPyTorch() throws Exception {
    String script =
        String.join(
            "\n",
            "import sys, torch, torchvision",
            "out = sys.argv[1]",
            "torch.manual_seed(0)",
            "m = torchvision.models.resnet18()",
            "with torch.no_grad():",
            "    for mod in m.modules():",
            "        if isinstance(mod, torch.nn.BatchNorm2d):",
            "            mod.running_mean.uniform_(-0.2, 0.2)",
            "            mod.running_var.uniform_(0.5, 1.5)",
            "            mod.weight.uniform_(0.5, 1.5)",
            "            mod.bias.uniform_(-0.2, 0.2)",
            "m.eval()",
            "torch.save(m.state_dict(), out + '/resnet18.pt')",
            "body = torch.nn.Sequential(*list(m.children())[:-2])",
            "x = torch.randn(2, 3, " + H + ", " + W + ")",
            "g = torch.randn(2, 1, " + H + ", " + W + ")",
            "with torch.no_grad():",
            "    y = body(x)",
            "    yg = body(g.repeat(1, 3, 1, 1))",
            "for name, t in (('x', x), ('y', y), ('g', g), ('yg', yg)):",
            "    t.contiguous().numpy().astype('<f4').tofile(out + '/' + name + '.f32')",
            "print(tuple(y.shape))",
            "");
    Path py = dir.resolve("save.py");
    Files.writeString(py, script, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(PYTHON, py.toString(), dir.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue())
        .as("python3-torch and python3-torchvision are needed (./run test installs them): " + log)
        .isZero();
  }

  static float[] read(String name) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name + ".f32")));
    b.order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  static float maxAbsDiff(boolean grayscale) throws Exception {
    TorchStateDict sd = TorchStateDict.read(dir.resolve("resnet18.pt"));
    try (NDManager m = NDManager.newBaseManager()) {
      ResNetEncoder enc = ResNetEncoder.builder().setDepth(18).optWidth(64).build();
      Shape in = new Shape(2, grayscale ? 1 : 3, H, W);
      enc.initialize(m, DataType.FLOAT32, in);
      List<String> unused = TorchvisionResNetWeights.load(enc, sd, grayscale);
      // only the classifier and BN's counters are left out
      assertThat(unused).allMatch(k -> k.startsWith("fc.") || k.endsWith("num_batches_tracked"));
      assertThat(unused).contains("fc.weight", "fc.bias");
      NDArray x = m.create(read(grayscale ? "g" : "x"), in);
      NDArray y =
          enc.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
      assertThat(y.getShape()).isEqualTo(new Shape(2, 512, 2, 3));
      NDArray expected = m.create(read(grayscale ? "yg" : "y"), y.getShape());
      assertThat(expected.abs().max().getFloat()).isGreaterThan(0.1f);
      return y.sub(expected).abs().max().getFloat();
    }
  }

  @Test
  void shouldGivePyTorchsResNet18FeaturesFromItsStateDict() throws Exception {
    float d = maxAbsDiff(false);
    System.out.println("torchvision ResNet-18 parity (RGB): max abs diff " + d);
    assertThat(d).isLessThanOrEqualTo(1e-4f);
  }

  @Test
  void shouldGiveTheRgbModelsFeaturesOfARepeatedGrayImageWithSummedStemFilters() throws Exception {
    float d = maxAbsDiff(true);
    System.out.println("torchvision ResNet-18 parity (grayscale): max abs diff " + d);
    assertThat(d).isLessThanOrEqualTo(1e-4f);
  }

  @Test
  void shouldStartPretrainingFromTheStateDict(@TempDir Path tmp) throws Exception {
    Path archive = tmp.resolve("archive");
    org.mammotriage.synth.SyntheticArchive.of(
            org.mammotriage.synth.SynthOptions.defaults(8, 5).withScale(0.05))
        .generate(archive);
    ModelConfig t = ModelConfig.tiny(0);
    ModelConfig c =
        new ModelConfig(
            64,
            40,
            18,
            64,
            0,
            t.tokenDim(),
            t.embeddingDim(),
            t.textDim(),
            t.textLayers(),
            t.heads(),
            0,
            0,
            t.glamGrid(),
            t.glamDim(),
            t.normMean(),
            t.normStd());
    var o =
        new org.mammotriage.training.pretrain.Pretrainer.Options(
                PretrainMethod.MVCLIP,
                c,
                4,
                1,
                1e-5f,
                0f,
                1,
                0.8,
                0,
                1L,
                false,
                tmp.resolve("cache"))
            .withInitEncoder(dir.resolve("resnet18.pt"));
    List<String> log = new java.util.ArrayList<>();
    org.mammotriage.training.pretrain.Pretrainer.train(
        org.mammotriage.training.pretrain.PretrainData.read(archive.resolve("manifest.csv")),
        o,
        tmp.resolve("model"),
        log::add);

    assertThat(log).anyMatch(l -> l.startsWith("image encoder initialised from resnet18.pt"));
    TorchStateDict sd = TorchStateDict.read(dir.resolve("resnet18.pt"));
    float[] rgb = sd.floats("conv1.weight");
    float[] gray = new float[rgb.length / 3];
    for (int i = 0; i < gray.length; i++) {
      int o2 = i / 49;
      int k = i % 49;
      for (int ch = 0; ch < 3; ch++) {
        gray[i] += rgb[(o2 * 3 + ch) * 49 + k];
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      var trained = org.mammotriage.training.pretrain.PretrainedModel.load(tmp.resolve("model"), m);
      ResNetEncoder enc = (ResNetEncoder) trained.net().imageTower().encoder();
      NDArray stem = enc.getChildren().get(0).getValue().getParameters().get("weight").getArray();
      NDArray expected = m.create(gray, stem.getShape());
      // one AdamW step of 1e-5 from the torchvision weights (a random start is ~0.1 away)
      assertThat(stem.sub(expected).abs().max().getFloat()).isLessThan(1e-3f);
      assertThat(expected.abs().max().getFloat()).isGreaterThan(0.05f);
    }
  }

  @Test
  void shouldRefuseAStateDictOfAnotherWidthWithWhatToDo() throws Exception {
    TorchStateDict sd = TorchStateDict.read(dir.resolve("resnet18.pt"));
    try (NDManager m = NDManager.newBaseManager()) {
      ResNetEncoder enc = ResNetEncoder.builder().setDepth(18).optWidth(16).build();
      enc.initialize(m, DataType.FLOAT32, new Shape(1, 3, H, W));
      assertThatThrownBy(() -> TorchvisionResNetWeights.load(enc, sd, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("width 64");
    }
    Path notZip = dir.resolve("legacy.pt");
    Files.write(notZip, new byte[] {(byte) 0x80, 2, 'N', '.'});
    assertThatThrownBy(() -> TorchStateDict.read(notZip))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("torch.save");
  }
}
