package org.mammotriage.training.export;

import ai.djl.nn.Block;
import java.util.List;

/**
 * Writes the ONNX nodes of one DJL block type (inference mode) and returns the names of its
 * outputs.
 */
@FunctionalInterface
public interface BlockMapper<B extends Block> {
  List<String> map(B block, List<String> inputs, ExportContext ctx);
}
