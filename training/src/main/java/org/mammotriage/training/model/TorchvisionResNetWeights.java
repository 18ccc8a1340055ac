package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a torchvision ResNet's {@code state_dict} ({@link TorchStateDict}) into a {@link
 * ResNetEncoder} of the same depth and width (ResNet-18: {@code setDepth(18).optWidth(64)}). The
 * two have the same layout: 7×7/2 stem conv without bias, BN, ReLU, 3×3/2 max pool, basic blocks
 * with the stride on the first conv, 1×1/2 conv + BN downsample, BN ε = 1e-5.
 *
 * <p>Name mapping (torchvision → this encoder's children):
 *
 * <pre>
 * conv1.weight                        → stem_conv weight
 * bn1.{weight,bias,running_mean,running_var} → stem_bn {gamma,beta,runningMean,runningVar}
 * layer{s}.{k}.conv1/bn1/conv2/bn2    → stage{s}_unit{k+1} conv1/bn1/conv2/bn2
 * layer{s}.{k}.downsample.0 / .1      → stage{s}_unit{k+1} shortcut_conv / shortcut_bn
 * bn*.num_batches_tracked, fc.*       → not used (the encoder ends at the feature map)
 * </pre>
 *
 * <p>With {@code grayscale} the RGB stem filters are summed over their three input channels, so a
 * single-channel image x gives what the RGB model gives for (x, x, x): the usual way to start a
 * mammography encoder from ImageNet weights.
 */
public final class TorchvisionResNetWeights {
  private TorchvisionResNetWeights() {}

  /**
   * Copies the weights into {@code encoder} (initialised: 3 input channels, or 1 with {@code
   * grayscale}); returns the state-dict keys that were not used.
   */
  public static List<String> load(ResNetEncoder encoder, TorchStateDict sd, boolean grayscale) {
    Map<String, Block> blocks = new LinkedHashMap<>();
    encoder.getChildren().forEach(p -> blocks.put(strip(p.getKey()), p.getValue()));
    List<String> used = new ArrayList<>();
    conv((Conv2d) blocks.get("stem_conv"), sd, "conv1", grayscale, used);
    bn((BatchNorm) blocks.get("stem_bn"), sd, "bn1", used);
    int[] depths = encoder.stageDepths();
    for (int s = 0; s < 4; s++) {
      for (int k = 0; k < depths[s]; k++) {
        String unitName = "stage" + (s + 1) + "_unit" + (k + 1);
        ResidualUnit u = (ResidualUnit) blocks.get(unitName);
        String t = "layer" + (s + 1) + "." + k + ".";
        conv(u.conv1(), sd, t + "conv1", false, used);
        bn(u.bn1(), sd, t + "bn1", used);
        conv(u.conv2(), sd, t + "conv2", false, used);
        bn(u.bn2(), sd, t + "bn2", used);
        boolean tvDown = sd.tensors().containsKey(t + "downsample.0.weight");
        if (tvDown != u.hasProjectionShortcut()) {
          throw new IllegalArgumentException(
              "the state dict's "
                  + t
                  + " block "
                  + (tvDown ? "has" : "has no")
                  + " downsample but "
                  + unitName
                  + (tvDown ? " has none" : " has one")
                  + ": depth or width differ");
        }
        if (tvDown) {
          conv(u.shortcutConv(), sd, t + "downsample.0", false, used);
          bn(u.shortcutBn(), sd, t + "downsample.1", used);
        }
      }
    }
    if (sd.tensors().containsKey("layer" + 1 + "." + depths[0] + ".conv1.weight")) {
      throw new IllegalArgumentException(
          "the state dict has more blocks per stage than the encoder: use the same depth");
    }
    List<String> unused = new ArrayList<>(sd.tensors().keySet());
    unused.removeAll(used);
    return unused;
  }

  private static String strip(String childName) {
    // DJL prefixes child names with their position ("01stem_conv")
    return childName.replaceFirst("^\\d+", "");
  }

  private static void conv(
      Conv2d conv, TorchStateDict sd, String key, boolean grayscale, List<String> used) {
    String k = key + ".weight";
    TorchStateDict.Tensor t = require(sd, k);
    float[] w = sd.floats(k);
    long[] shape = t.shape();
    if (grayscale) {
      if (shape[1] != 3) {
        throw new IllegalArgumentException(k + " has " + shape[1] + " input channels, not RGB");
      }
      int out = (int) shape[0];
      int hw = (int) (shape[2] * shape[3]);
      float[] g = new float[out * hw];
      for (int o = 0; o < out; o++) {
        for (int c = 0; c < 3; c++) {
          for (int i = 0; i < hw; i++) {
            g[o * hw + i] += w[(o * 3 + c) * hw + i];
          }
        }
      }
      w = g;
      shape = new long[] {shape[0], 1, shape[2], shape[3]};
    }
    set(conv.getParameters().get("weight"), w, new Shape(shape), k);
    used.add(k);
  }

  private static void bn(BatchNorm bn, TorchStateDict sd, String key, List<String> used) {
    String[][] names = {
      {"weight", "gamma"},
      {"bias", "beta"},
      {"running_mean", "runningMean"},
      {"running_var", "runningVar"}
    };
    for (String[] n : names) {
      String k = key + "." + n[0];
      TorchStateDict.Tensor t = require(sd, k);
      set(bn.getParameters().get(n[1]), sd.floats(k), new Shape(t.shape()), k);
      used.add(k);
    }
    if (sd.tensors().containsKey(key + ".num_batches_tracked")) {
      used.add(key + ".num_batches_tracked");
    }
  }

  private static TorchStateDict.Tensor require(TorchStateDict sd, String key) {
    TorchStateDict.Tensor t = sd.tensors().get(key);
    if (t == null) {
      throw new IllegalArgumentException(
          "the state dict has no '" + key + "': not a torchvision ResNet of this depth");
    }
    return t;
  }

  private static void set(Parameter p, float[] values, Shape shape, String key) {
    NDArray a = p.getArray();
    if (!a.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          key
              + " is "
              + shape
              + " but the encoder's parameter is "
              + a.getShape()
              + ": build the encoder with the state dict's depth and width (ResNet-18: depth 18,"
              + " width 64)");
    }
    a.set(values);
  }
}
