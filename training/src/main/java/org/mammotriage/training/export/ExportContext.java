package org.mammotriage.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/** What a mapper sees: the graph being written, and the exporter for its child blocks. */
public final class ExportContext {
  private final OnnxGraph graph;
  private final OnnxExporter exporter;

  ExportContext(OnnxGraph graph, OnnxExporter exporter) {
    this.graph = graph;
    this.exporter = exporter;
  }

  public OnnxGraph graph() {
    return graph;
  }

  /** Exports a child block on the given inputs. */
  public List<String> export(Block child, List<String> inputs) {
    return exporter.exportBlock(child, inputs, this);
  }

  /** Exports a single-input single-output child. */
  public String export1(Block child, String input) {
    List<String> out = export(child, List.of(input));
    return out.get(0);
  }

  /** The parameter's trained value as a constant initializer. */
  public String constant(Parameter p) {
    NDArray a = p.getArray();
    return graph.constant(p.getName(), a.toFloatArray(), a.getShape().getShape());
  }

  /** A constant from an array computed at export time (e.g. embeddings combined per slot). */
  public String constant(String prefix, NDArray a) {
    return graph.constant(
        prefix,
        a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
        a.getShape().getShape());
  }
}
