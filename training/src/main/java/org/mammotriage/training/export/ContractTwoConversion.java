package org.mammotriage.training.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a contract-1 model directory exported by this module into a contract-2 directory with the
 * same weights, by surgery on its whole-exam graph ({@code exam_scorer.onnx}), for a model whose
 * DJL parameters are not kept (the bundled demo model):
 *
 * <ul>
 *   <li>the encoder is the part of the graph between the reshape of {@code views} to single images
 *       and the reshape of their embeddings to [N, 4, D]; it becomes {@code image_encoder.onnx}
 *       with the input {@code image}, plus the malignancy probe (the MatMul [D, 1] and bias the
 *       head applies to each view's embedding) as the per-view output {@code view_logit};
 *   <li>the rest is {@code exam_head.onnx}: its embeddings and its per-view logits become the
 *       inputs {@code embedding} [N, 4, D] and {@code view_logit} [N, 4, 1]; what no output needs
 *       any more is pruned.
 * </ul>
 *
 * The result is checked before anything is written: the composition (encoder on each view, head on
 * the encodings, missing views zeros) against the contract-1 graph on seeded random exams with and
 * without missing views, and the new encoder against the directory's own {@code
 * image_encoder.onnx}; more than {@link ModelExport#PARITY_TOLERANCE} fails the conversion.
 */
public final class ContractTwoConversion {
  private static final Logger LOG = LoggerFactory.getLogger(ContractTwoConversion.class);

  /** Where it went and the largest differences measured. */
  public record Result(Path dir, Map<String, Double> maxAbsDiff, Map<String, String> sha256) {}

  private ContractTwoConversion() {}

  public static Result convert(Path v1Dir, Path out) throws IOException {
    ModelManifest v1 = ModelManifest.read(v1Dir.resolve(ModelManifest.FILE));
    if (v1.encodesViews()) {
      throw new ModelLoadException(v1Dir + " is already a contract-2 model directory");
    }
    OnnxMl.ModelProto scorer =
        OnnxMl.ModelProto.parseFrom(Files.readAllBytes(v1Dir.resolve(ModelManifest.EXAM_SCORER)));
    byte[] v1Encoder = Files.readAllBytes(v1Dir.resolve(ModelManifest.IMAGE_ENCODER));
    int d = embeddingDim(OnnxMl.ModelProto.parseFrom(v1Encoder));
    Split split = split(scorer, d, v1.inputHeight(), v1.inputWidth());
    byte[] encoder = split.encoder().toByteArray();
    byte[] head = split.head().toByteArray();
    Map<String, Double> diff =
        verify(encoder, head, scorer.toByteArray(), v1Encoder, v1.inputHeight(), v1.inputWidth());
    diff.forEach(
        (k, v) -> {
          if (!(v <= ModelExport.PARITY_TOLERANCE)) {
            throw new IllegalStateException(
                "the contract-2 graphs differ from the contract-1 model by "
                    + v
                    + " on "
                    + k
                    + ": the surgery is wrong for this graph; nothing was written");
          }
        });
    Files.createDirectories(out);
    Map<String, String> sha = new LinkedHashMap<>();
    sha.put(ModelManifest.IMAGE_ENCODER, write(out.resolve(ModelManifest.IMAGE_ENCODER), encoder));
    sha.put(ModelManifest.EXAM_HEAD, write(out.resolve(ModelManifest.EXAM_HEAD), head));
    Map<String, Object> from = new LinkedHashMap<>();
    from.put("contract", 1);
    from.put("files", v1.fileSha256());
    from.put("method", "graph surgery on exam_scorer.onnx (ContractTwoConversion)");
    from.put("max_abs_diff", diff);
    ModelManifest.Builder b =
        v1.toBuilder()
            .setContractVersion(ModelManifest.CONTRACT_V2)
            .setEncoder(d, Map.of(ExamModelGraphs.VIEW_LOGIT, 1))
            .setProducer("mammotriage-training", GitSha.current())
            .optOutput(
                ExamModelGraphs.VIEW_LOGIT,
                "[N,1] the view's malignancy logit (image_encoder; exam_head takes [N,4,1])")
            .optExtra("converted_from", from);
    sha.forEach(b::setFile);
    b.build().write(out);
    LOG.info("contract-2 model written to {} (max abs diff against contract 1: {})", out, diff);
    return new Result(out, diff, sha);
  }

  /** The two contract-2 graphs cut out of a contract-1 whole-exam graph. */
  record Split(OnnxMl.ModelProto encoder, OnnxMl.ModelProto head) {}

  static Split split(OnnxMl.ModelProto scorer, int d, int h, int w) {
    GraphProto g = scorer.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    Map<String, NodeProto> producer = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      n.getOutputList().forEach(o -> producer.put(o, n));
    }
    NodeProto toImages =
        only(
            g,
            n ->
                n.getOpType().equals("Reshape")
                    && n.getInput(0).equals(ExamModelGraphs.VIEWS)
                    && int64s(inits, n.getInput(1)).equals(List.of(-1L, 1L, (long) h, (long) w)),
            "the reshape of views to [-1, 1, H, W]");
    String flat = toImages.getOutput(0);
    NodeProto toExam =
        only(
            g,
            n ->
                n.getOpType().equals("Reshape")
                    && int64s(inits, n.getInput(1)).equals(List.of(-1L, 4L, (long) d))
                    && closure(producer, inits, List.of(n.getInput(0))).contains(toImages),
            "the reshape of the image embeddings to [-1, 4, D]");
    String emb = toExam.getInput(0);
    String embeddings = toExam.getOutput(0);
    NodeProto probe =
        only(
            g,
            n ->
                n.getOpType().equals("MatMul")
                    && n.getInput(0).equals(embeddings)
                    && dims(inits, n.getInput(1)).equals(List.of((long) d, 1L)),
            "the malignancy probe (MatMul of the embeddings by [D, 1])");
    NodeProto bias =
        only(
            g,
            n ->
                n.getOpType().equals("Add")
                    && n.getInput(0).equals(probe.getOutput(0))
                    && inits.containsKey(n.getInput(1)),
            "the malignancy probe's bias");
    NodeProto toLogits =
        only(
            g,
            n ->
                n.getOpType().equals("Reshape")
                    && n.getInput(0).equals(bias.getOutput(0))
                    && int64s(inits, n.getInput(1)).equals(List.of(0L, 4L)),
            "the reshape of the view logits to [N, 4]");

    // the encoder: everything emb depends on, fed by the image instead of the reshaped views
    Set<NodeProto> encoderNodes = closure(producer, inits, List.of(emb));
    encoderNodes.remove(toImages);
    GraphProto.Builder enc = GraphProto.newBuilder().setName("image_encoder");
    for (NodeProto n : g.getNodeList()) {
      if (encoderNodes.contains(n)) {
        enc.addNode(rename(n, Map.of(flat, ExamModelGraphs.IMAGE)));
      }
    }
    String logitWeights = probe.getInput(1);
    enc.addNode(node("MatMul", List.of(emb, logitWeights), "view_logit_matmul"));
    enc.addNode(node("Add", List.of("view_logit_matmul", bias.getInput(1)), "view_logit_add"));
    enc.addNode(node("Identity", List.of("view_logit_add"), ExamModelGraphs.VIEW_LOGIT));
    enc.addNode(node("Identity", List.of(emb), ExamModelGraphs.EMBEDDING));
    enc.addInput(OnnxGraph.valueInfo(ExamModelGraphs.IMAGE, -1, 1, h, w));
    enc.addOutput(OnnxGraph.valueInfo(ExamModelGraphs.EMBEDDING, -1, d));
    enc.addOutput(OnnxGraph.valueInfo(ExamModelGraphs.VIEW_LOGIT, -1, 1));
    addInitializers(enc, inits);

    // the head: the rest, reading the encodings from its inputs
    GraphProto.Builder head = GraphProto.newBuilder().setName("exam_head");
    String logitsIn = "view_logit_as_n4";
    Map<String, String> renames =
        Map.of(embeddings, ExamModelGraphs.EMBEDDING, toLogits.getOutput(0), logitsIn);
    List<NodeProto> rest = new ArrayList<>();
    rest.add(node("Reshape", List.of(ExamModelGraphs.VIEW_LOGIT, "view_logit_shape"), logitsIn));
    for (NodeProto n : g.getNodeList()) {
      if (!encoderNodes.contains(n) && n != toImages && n != toExam) {
        rest.add(rename(n, renames));
      }
    }
    Map<String, TensorProto> headInits = new HashMap<>(inits);
    headInits.put(
        "view_logit_shape",
        TensorProto.newBuilder()
            .setName("view_logit_shape")
            .setDataType(TensorProto.DataType.INT64.getNumber())
            .addDims(2)
            .addInt64Data(-1)
            .addInt64Data(4)
            .build());
    Map<String, NodeProto> restProducer = new HashMap<>();
    rest.forEach(n -> n.getOutputList().forEach(o -> restProducer.put(o, n)));
    List<String> outputs = g.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
    Set<NodeProto> needed = closure(restProducer, headInits, outputs);
    for (NodeProto n : rest) {
      if (needed.contains(n)) {
        for (String in : n.getInputList()) {
          if (in.equals(ExamModelGraphs.VIEWS) || in.equals(flat) || in.equals(emb)) {
            throw new IllegalStateException(
                "the exam head still reads the encoder's " + in + " (node " + n.getName() + ")");
          }
        }
        head.addNode(n);
      }
    }
    head.addInput(OnnxGraph.valueInfo(ExamModelGraphs.EMBEDDING, -1, 4, d));
    head.addInput(OnnxGraph.valueInfo(ExamModelGraphs.VIEW_LOGIT, -1, 4, 1));
    head.addInput(
        g.getInputList().stream()
            .filter(i -> i.getName().equals(ExamModelGraphs.PRESENT))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("exam_scorer.onnx has no input present")));
    head.addAllOutput(g.getOutputList());
    addInitializers(head, headInits);
    return new Split(model(scorer, enc, "image encoder"), model(scorer, head, "exam head"));
  }

  /** Checks the split against the contract-1 graphs it came from. */
  static Map<String, Double> verify(
      byte[] encoder, byte[] head, byte[] wholeExam, byte[] v1Encoder, int h, int w) {
    Random rnd = new Random(23);
    float[][] presents = {
      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0},
      {0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1}
    };
    List<float[][]> cases = new ArrayList<>();
    for (float[] present : presents) {
      float[] views = new float[12 * h * w];
      for (int v = 0; v < 12; v++) {
        for (int i = 0; i < h * w; i++) {
          views[v * h * w + i] = present[v] == 0f ? 0f : (float) rnd.nextGaussian();
        }
      }
      cases.add(new float[][] {views, present});
    }
    Map<String, Double> worst = new LinkedHashMap<>();
    try (ContractTwoComposition two =
            new ContractTwoComposition(encoder, head, Map.of(ExamModelGraphs.VIEW_LOGIT, 1), h, w);
        OrtGraphRun old = new OrtGraphRun(v1Encoder)) {
      two.against(wholeExam, cases, 3)
          .forEach((k, v) -> worst.put("composition_vs_contract_1." + k, v));
      float[] images = cases.get(0)[0];
      worst.put(
          "embedding_vs_contract_1_image_encoder",
          OrtGraphRun.maxAbsDiff(
              two.encode(images, 12).get(ExamModelGraphs.EMBEDDING),
              old.run(Map.of(ExamModelGraphs.IMAGE, new OrtGraphRun.Tensor(images, 12, 1, h, w)))
                  .get(ExamModelGraphs.EMBEDDING)));
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime cannot run the split graphs: " + e, e);
    }
    return worst;
  }

  private static int embeddingDim(OnnxMl.ModelProto encoder) {
    for (OnnxMl.ValueInfoProto o : encoder.getGraph().getOutputList()) {
      if (o.getName().equals(ExamModelGraphs.EMBEDDING)) {
        var dims = o.getType().getTensorType().getShape().getDimList();
        if (dims.size() == 2 && dims.get(1).hasDimValue()) {
          return (int) dims.get(1).getDimValue();
        }
      }
    }
    throw new ModelLoadException("image_encoder.onnx declares no embedding [N, D] output");
  }

  /** The nodes {@code values} depend on (through node outputs; initializers and inputs end it). */
  private static Set<NodeProto> closure(
      Map<String, NodeProto> producer, Map<String, TensorProto> inits, List<String> values) {
    Set<NodeProto> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(values);
    while (!todo.isEmpty()) {
      NodeProto n = producer.get(todo.pop());
      if (n != null && seen.add(n)) {
        n.getInputList().stream().filter(i -> !inits.containsKey(i)).forEach(todo::push);
      }
    }
    return seen;
  }

  private static NodeProto only(
      GraphProto g, java.util.function.Predicate<NodeProto> p, String what) {
    List<NodeProto> found = g.getNodeList().stream().filter(p).toList();
    if (found.size() != 1) {
      throw new IllegalStateException(
          "exam_scorer.onnx: expected one node for "
              + what
              + ", found "
              + found.size()
              + "; this graph was not exported by mammotriage-training, re-export the model");
    }
    return found.get(0);
  }

  private static List<Long> int64s(Map<String, TensorProto> inits, String name) {
    TensorProto t = inits.get(name);
    return t == null ? List.of() : t.getInt64DataList();
  }

  private static List<Long> dims(Map<String, TensorProto> inits, String name) {
    TensorProto t = inits.get(name);
    return t == null ? List.of() : t.getDimsList();
  }

  private static NodeProto rename(NodeProto n, Map<String, String> renames) {
    NodeProto.Builder b = n.toBuilder().clearInput();
    n.getInputList().forEach(i -> b.addInput(renames.getOrDefault(i, i)));
    return b.build();
  }

  private static NodeProto node(String op, List<String> inputs, String output) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName("contract2_" + output)
        .addAllInput(inputs)
        .addOutput(output)
        .build();
  }

  /** Adds the initializers the graph's nodes read, in a stable order. */
  private static void addInitializers(GraphProto.Builder g, Map<String, TensorProto> inits) {
    Set<String> used = new java.util.TreeSet<>();
    g.getNodeList()
        .forEach(n -> n.getInputList().stream().filter(inits::containsKey).forEach(used::add));
    used.forEach(name -> g.addInitializer(inits.get(name)));
  }

  private static OnnxMl.ModelProto model(
      OnnxMl.ModelProto from, GraphProto.Builder graph, String what) {
    return from.toBuilder()
        .setGraph(graph)
        .setDocString("MammoTriage " + what + " (model contract 2, cut from exam_scorer.onnx)")
        .build();
  }

  private static String write(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(
        tmp,
        target,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return ModelExport.sha256(bytes);
  }
}
