package org.mammotriage.training.export;

import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns trained DJL blocks into ONNX graphs, block by block, through a registry of {@link
 * BlockMapper}s keyed by block class (nearest superclass wins) and, for DJL's parameterless {@link
 * LambdaBlock}s, by their name. A block without a mapping fails the export with its class name:
 * silently skipping a layer would produce a model that loads and scores wrongly.
 */
public final class OnnxExporter {

  private final Map<Class<?>, BlockMapper<?>> byClass = new HashMap<>();
  private final Map<String, BlockMapper<LambdaBlock>> byLambdaName = new HashMap<>();

  /** An exporter that knows DJL's standard layers and the MammoTriage model blocks. */
  public static OnnxExporter standard() {
    OnnxExporter e = new OnnxExporter();
    StandardMappers.registerInto(e);
    return e;
  }

  public <B extends Block> OnnxExporter register(Class<B> type, BlockMapper<? super B> mapper) {
    byClass.put(type, mapper);
    return this;
  }

  public OnnxExporter registerLambda(String name, BlockMapper<LambdaBlock> mapper) {
    byLambdaName.put(name, mapper);
    return this;
  }

  /**
   * Builds a model: {@code body} declares inputs, exports blocks through the context, and binds
   * outputs.
   */
  public OnnxMl.ModelProto build(String graphName, String docString, Consumer<ExportContext> body) {
    OnnxGraph graph = new OnnxGraph(graphName);
    body.accept(new ExportContext(graph, this));
    return graph.model("mammotriage-training", docString);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  List<String> exportBlock(Block block, List<String> inputs, ExportContext ctx) {
    if (block instanceof LambdaBlock lambda) {
      BlockMapper<LambdaBlock> m = byLambdaName.get(lambda.getName());
      if (m == null) {
        throw new UnsupportedBlockException("LambdaBlock '" + lambda.getName() + "'");
      }
      return m.map(lambda, inputs, ctx);
    }
    for (Class<?> c = block.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      BlockMapper m = byClass.get(c);
      if (m != null) {
        return m.map(block, inputs, ctx);
      }
    }
    throw new UnsupportedBlockException(block.getClass().getName());
  }
}
