package org.mammotriage.training.export;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small writer for ONNX graphs (opset 17): inputs, outputs, constant initializers and nodes, with
 * unique names. The exporter's mappers only talk to this class, never to the protobuf builders.
 */
public final class OnnxGraph {

  /** The opset every exported graph declares. */
  public static final int OPSET = 17;

  /** IR version 8 is what opset 17 shipped with; ONNX Runtime 1.29 reads it. */
  public static final int IR_VERSION = 8;

  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
  private final Map<String, Integer> counters = new HashMap<>();

  public OnnxGraph(String name) {
    graph.setName(name);
  }

  /** A fresh value name with the given prefix. */
  public String fresh(String prefix) {
    int n = counters.merge(prefix, 1, Integer::sum);
    return prefix + "_" + n;
  }

  /** Declares a float32 graph input; a negative dimension is symbolic (named {@code N}). */
  public void input(String name, long... dims) {
    graph.addInput(valueInfo(name, dims));
  }

  /** Declares a float32 graph output. */
  public void output(String name, long... dims) {
    graph.addOutput(valueInfo(name, dims));
  }

  /** A float32 constant; returns its name. */
  public String constant(String prefix, float[] values, long... dims) {
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          prefix + ": " + values.length + " values for shape " + java.util.Arrays.toString(dims));
    }
    String name = fresh(prefix);
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    buf.flip();
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
            .setRawData(ByteString.copyFrom(buf));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  /** A scalar float32 constant. */
  public String scalar(String prefix, float value) {
    return constant(prefix, new float[] {value});
  }

  /** An int64 1-D constant (shapes, axes). */
  public String int64s(String prefix, long... values) {
    String name = fresh(prefix);
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
            .addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return name;
  }

  /** An int64 scalar constant (Gather indices). */
  public String int64Scalar(String prefix, long value) {
    String name = fresh(prefix);
    graph.addInitializer(
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
            .addInt64Data(value));
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  public String node(String opType, List<String> inputs, Attr... attrs) {
    String out = fresh(opType.toLowerCase());
    nodeInto(opType, inputs, out, attrs);
    return out;
  }

  /** Adds a node writing into a given output name (used for the graph's named outputs). */
  public void nodeInto(String opType, List<String> inputs, String output, Attr... attrs) {
    OnnxMl.NodeProto.Builder n =
        OnnxMl.NodeProto.newBuilder()
            .setOpType(opType)
            .setName(fresh("n_" + opType))
            .addAllInput(inputs)
            .addOutput(output);
    for (Attr a : attrs) {
      n.addAttribute(a.proto());
    }
    graph.addNode(n);
  }

  /** Renames a value into a graph output by an Identity node. */
  public void bindOutput(String value, String outputName, long... dims) {
    nodeInto("Identity", List.of(value), outputName);
    output(outputName, dims);
  }

  /** The finished model. */
  public OnnxMl.ModelProto model(String producer, String docString) {
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName(producer)
        .setDocString(docString)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph)
        .build();
  }

  /** A float tensor's value info; a negative dimension is the batch dimension {@code N}. */
  public static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : dims) {
      OnnxMl.TensorShapeProto.Dimension.Builder dim =
          OnnxMl.TensorShapeProto.Dimension.newBuilder();
      if (d < 0) {
        dim.setDimParam("N");
      } else {
        dim.setDimValue(d);
      }
      shape.addDim(dim);
    }
    OnnxMl.TypeProto type =
        OnnxMl.TypeProto.newBuilder()
            .setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder()
                    .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                    .setShape(shape))
            .build();
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  /** A node attribute. */
  public record Attr(OnnxMl.AttributeProto proto) {
    public static Attr i(String name, long v) {
      return new Attr(
          OnnxMl.AttributeProto.newBuilder()
              .setName(name)
              .setType(OnnxMl.AttributeProto.AttributeType.INT)
              .setI(v)
              .build());
    }

    public static Attr f(String name, float v) {
      return new Attr(
          OnnxMl.AttributeProto.newBuilder()
              .setName(name)
              .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
              .setF(v)
              .build());
    }

    public static Attr s(String name, String v) {
      return new Attr(
          OnnxMl.AttributeProto.newBuilder()
              .setName(name)
              .setType(OnnxMl.AttributeProto.AttributeType.STRING)
              .setS(ByteString.copyFromUtf8(v))
              .build());
    }

    public static Attr ints(String name, long... v) {
      OnnxMl.AttributeProto.Builder b =
          OnnxMl.AttributeProto.newBuilder()
              .setName(name)
              .setType(OnnxMl.AttributeProto.AttributeType.INTS);
      for (long x : v) {
        b.addInts(x);
      }
      return new Attr(b.build());
    }
  }
}
