package org.mammotriage.streams;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mammotriage.schemas.avro.SlotEncoding;
import org.mammotriage.scoring.ViewEncoding;

/**
 * A view's encoding as the assembly state stores it ({@link SlotEncoding}: float32 little-endian
 * bytes) and back.
 */
final class SlotEncodings {
  private SlotEncodings() {}

  static SlotEncoding toState(ViewEncoding e) {
    Map<String, ByteBuffer> outs = new LinkedHashMap<>();
    e.outputs().forEach((k, v) -> outs.put(k, bytes(v)));
    return SlotEncoding.newBuilder()
        .setModelId(e.modelId())
        .setEmbedding(bytes(e.embedding()))
        .setOutputs(outs)
        .setOodScore(e.domain().oodScore())
        .setInputMean(e.domain().inputMean())
        .setInputStd(e.domain().inputStd())
        .build();
  }

  static ViewEncoding fromState(SlotEncoding s) {
    Map<String, float[]> outs = new LinkedHashMap<>();
    s.getOutputs().forEach((k, v) -> outs.put(k, floats(v)));
    return new ViewEncoding(
        s.getModelId(),
        floats(s.getEmbedding()),
        outs,
        new ViewEncoding.Measured(s.getOodScore(), s.getInputMean(), s.getInputStd()));
  }

  static ByteBuffer bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b;
  }

  static float[] floats(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[d.remaining() / 4];
    d.asFloatBuffer().get(v);
    return v;
  }
}
