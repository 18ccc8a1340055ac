package org.mammotriage.testing;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small builder for ONNX graphs written from Java (opset 17 by default): float inputs/outputs
 * with a symbolic batch dimension, initializers, and nodes with int, ints and float attributes.
 * Used by test models and by the exporter.
 */
public final class OnnxGraphBuilder {
  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
  private final int opset;
  private int counter;

  public OnnxGraphBuilder(String name, int opset) {
    graph.setName(name);
    this.opset = opset;
  }

  /** A float32 input; a dimension of -1 becomes the symbolic batch dimension "N". */
  public OnnxGraphBuilder input(String name, long... dims) {
    graph.addInput(valueInfo(name, dims));
    return this;
  }

  public OnnxGraphBuilder output(String name, long... dims) {
    graph.addOutput(valueInfo(name, dims));
    return this;
  }

  /** A float32 constant tensor. */
  public String constant(String name, float[] values, long... dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    graph.addInitializer(t);
    return name;
  }

  /** An int64 constant tensor (shapes, axes). */
  public String constantLong(String name, long[] values, long... dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return name;
  }

  public String scalar(String name, float v) {
    return constant(name, new float[] {v});
  }

  /**
   * Adds a node; returns its (first) output name. {@code attrs} are name/value pairs (Integer,
   * long[], Float, float[], String).
   */
  public String node(String op, String[] inputs, String output, Object... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + counter++);
    for (String i : inputs) {
      n.addInput(i);
    }
    String out = output != null ? output : op.toLowerCase() + "_" + counter;
    n.addOutput(out);
    for (int i = 0; i < attrs.length; i += 2) {
      n.addAttribute(attribute((String) attrs[i], attrs[i + 1]));
    }
    graph.addNode(n);
    return out;
  }

  public String node(String op, String... inputs) {
    return node(op, inputs, null);
  }

  public OnnxMl.ModelProto build() {
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("mammotriage")
        .setProducerVersion("0.1")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph)
        .build();
  }

  public void write(Path file) throws IOException {
    Files.write(file, build().toByteArray());
  }

  private static AttributeProto attribute(String name, Object v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (v instanceof Integer i) {
      a.setType(AttributeProto.AttributeType.INT).setI(i);
    } else if (v instanceof Long l) {
      a.setType(AttributeProto.AttributeType.INT).setI(l);
    } else if (v instanceof long[] ls) {
      a.setType(AttributeProto.AttributeType.INTS);
      for (long l : ls) {
        a.addInts(l);
      }
    } else if (v instanceof Float f) {
      a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
    } else if (v instanceof float[] fs) {
      a.setType(AttributeProto.AttributeType.FLOATS);
      for (float f : fs) {
        a.addFloats(f);
      }
    } else if (v instanceof String s) {
      a.setType(AttributeProto.AttributeType.STRING)
          .setS(com.google.protobuf.ByteString.copyFromUtf8(s));
    } else {
      throw new IllegalArgumentException("unsupported attribute type for " + name + ": " + v);
    }
    return a.build();
  }

  private static ValueInfoProto valueInfo(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d < 0) {
        dim.setDimParam("N");
      } else {
        dim.setDimValue(d);
      }
      shape.addDim(dim);
    }
    TypeProto type =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder()
                    .setElemType(TensorProto.DataType.FLOAT.getNumber())
                    .setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }
}
