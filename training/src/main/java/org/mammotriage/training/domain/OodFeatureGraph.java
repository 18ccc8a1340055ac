package org.mammotriage.training.domain;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.training.export.OnnxGraph;

/**
 * Adds the output {@code ood_features} [N, F] to a contract-2 {@code image_encoder.onnx}: for each
 * feature layer of the convolutional trunk (the stem's first ReLU and every ReLU after a residual
 * Add, i.e. each block's output [N, C, H, W]) its global-average-pooled and global-std-pooled
 * activations (2C values: ReduceMean over H, W; sqrt(max(0, E[x²] − E[x]²))), then the embedding,
 * concatenated. Nothing already in the graph changes: the new nodes only read existing values, so
 * {@code embedding} and the per-view outputs stay what they were ({@link DomainCommand} checks it).
 */
public final class OodFeatureGraph {
  private OodFeatureGraph() {}

  /** The graph with the output and the slices of it that are layers. */
  public record WithFeatures(
      OnnxMl.ModelProto model, List<OodFit.LayerSlice> slices, int featureDim) {}

  public static boolean hasFeatures(OnnxMl.ModelProto m) {
    return m.getGraph().getOutputList().stream()
        .anyMatch(o -> o.getName().equals(OodReference.FEATURES_OUTPUT));
  }

  public static WithFeatures add(OnnxMl.ModelProto encoder, int embeddingDim) {
    if (hasFeatures(encoder)) {
      throw new IllegalArgumentException(
          "image_encoder.onnx already has the output " + OodReference.FEATURES_OUTPUT);
    }
    GraphProto g = encoder.getGraph();
    Map<String, NodeProto> producer = new HashMap<>();
    g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
    Map<String, TensorProto> inits = new HashMap<>();
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    List<String> layers = new ArrayList<>();
    List<Integer> channels = new ArrayList<>();
    for (NodeProto n : g.getNodeList()) {
      String op = n.getOpType();
      if (op.equals("Reshape")
          || op.equals("Flatten")
          || op.startsWith("Reduce")
          || op.startsWith("Global")) {
        break; // the end of the convolutional trunk
      }
      if (!op.equals("Relu")) {
        continue;
      }
      NodeProto in = producer.get(n.getInput(0));
      boolean blockOutput = in != null && in.getOpType().equals("Add");
      if (layers.isEmpty() || blockOutput) {
        int c = channels(n, producer, inits);
        if (c > 0) {
          layers.add(n.getOutput(0));
          channels.add(c);
        }
      }
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(
          "image_encoder.onnx has no convolutional trunk this tool recognises (Conv → ReLU"
              + " blocks); fit the OOD reference on the embedding (--ood-input embedding)");
    }
    GraphProto.Builder b = g.toBuilder();
    OnnxGraph.Attr axes = OnnxGraph.Attr.ints("axes", 2, 3);
    OnnxGraph.Attr keep = OnnxGraph.Attr.i("keepdims", 0);
    List<String> concat = new ArrayList<>();
    List<OodFit.LayerSlice> slices = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < layers.size(); i++) {
      String t = layers.get(i);
      String p = "ood_" + t + "_";
      b.addNode(node("ReduceMean", List.of(t), p + "mean", axes, keep));
      b.addNode(node("Mul", List.of(t, t), p + "sq"));
      b.addNode(node("ReduceMean", List.of(p + "sq"), p + "meansq", axes, keep));
      b.addNode(node("Mul", List.of(p + "mean", p + "mean"), p + "mean2"));
      b.addNode(node("Sub", List.of(p + "meansq", p + "mean2"), p + "var"));
      b.addNode(node("Relu", List.of(p + "var"), p + "varpos"));
      b.addNode(node("Sqrt", List.of(p + "varpos"), p + "std"));
      concat.add(p + "mean");
      concat.add(p + "std");
      int len = 2 * channels.get(i);
      slices.add(new OodFit.LayerSlice(t, offset, len));
      offset += len;
    }
    concat.add(ModelManifest.EMBEDDING);
    slices.add(new OodFit.LayerSlice(ModelManifest.EMBEDDING, offset, embeddingDim));
    offset += embeddingDim;
    b.addNode(node("Concat", concat, OodReference.FEATURES_OUTPUT, OnnxGraph.Attr.i("axis", 1)));
    b.addOutput(OnnxGraph.valueInfo(OodReference.FEATURES_OUTPUT, -1, offset));
    return new WithFeatures(encoder.toBuilder().setGraph(b).build(), slices, offset);
  }

  /** The graph without {@code ood_features} and the nodes only it reads (named {@code ood_...}). */
  public static OnnxMl.ModelProto strip(OnnxMl.ModelProto m) {
    if (!hasFeatures(m)) {
      return m;
    }
    GraphProto.Builder b = m.getGraph().toBuilder().clearNode().clearOutput();
    m.getGraph().getNodeList().stream()
        .filter(n -> !n.getName().startsWith("ood_"))
        .forEach(b::addNode);
    m.getGraph().getOutputList().stream()
        .filter(o -> !o.getName().equals(OodReference.FEATURES_OUTPUT))
        .forEach(b::addOutput);
    return m.toBuilder().setGraph(b).build();
  }

  /**
   * The largest absolute difference, over every output of {@code before}, between two encoder files
   * of a model directory on {@code n} seeded images (smooth random fields plus noise, in the
   * model's normalised range).
   */
  public static double maxDiff(Path modelDir, Path before, Path after, Random r, int n)
      throws Exception {
    double max = 0;
    try (ImageEncoderRunner a = new ImageEncoderRunner(modelDir, before);
        ImageEncoderRunner b = new ImageEncoderRunner(modelDir, after)) {
      int h = a.manifest().inputHeight();
      int w = a.manifest().inputWidth();
      for (int k = 0; k < n; k++) {
        float[] x = new float[h * w];
        double fx = r.nextDouble() * 0.1;
        double fy = r.nextDouble() * 0.1;
        for (int i = 0; i < x.length; i++) {
          x[i] =
              (float)
                  (Math.sin((i / w) * fy + r.nextDouble() * 0.05) * Math.cos((i % w) * fx) * 1.5
                      + r.nextGaussian() * 0.3);
        }
        Map<String, float[]> oa = a.runPrepared(x);
        Map<String, float[]> ob = b.runPrepared(x);
        for (Map.Entry<String, float[]> e : oa.entrySet()) {
          float[] va = e.getValue();
          float[] vb = ob.get(e.getKey());
          if (vb == null || vb.length != va.length) {
            return Double.POSITIVE_INFINITY;
          }
          for (int i = 0; i < va.length; i++) {
            max = Math.max(max, Math.abs((double) va[i] - vb[i]));
          }
        }
      }
    }
    return max;
  }

  /** The channel count of a ReLU's input, from the Conv weight its first-input chain starts at. */
  private static int channels(
      NodeProto relu, Map<String, NodeProto> producer, Map<String, TensorProto> inits) {
    NodeProto n = relu;
    for (int steps = 0; n != null && steps < 8; steps++) {
      if (n.getOpType().equals("Conv")) {
        TensorProto w = inits.get(n.getInput(1));
        return w == null || w.getDimsCount() != 4 ? -1 : (int) w.getDims(0);
      }
      n = producer.get(n.getInput(0));
    }
    return -1;
  }

  private static NodeProto node(
      String op, List<String> inputs, String output, OnnxGraph.Attr... attrs) {
    NodeProto.Builder n =
        NodeProto.newBuilder()
            .setOpType(op)
            .setName("ood_" + output)
            .addAllInput(inputs)
            .addOutput(output);
    for (OnnxGraph.Attr a : attrs) {
      n.addAttribute(a.proto());
    }
    return n.build();
  }
}
