package org.mammotriage.training.export;

/**
 * A block in the model has no ONNX mapping; the message names its class so a mapper can be added.
 */
public final class UnsupportedBlockException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedBlockException(String blockDescription) {
    super(
        "cannot export block "
            + blockDescription
            + " to ONNX: no mapping for it. Add a BlockMapper for this"
            + " class to OnnxExporter (org.mammotriage.training.export) or build the model from supported blocks.");
  }
}
