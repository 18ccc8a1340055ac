package org.mammotriage.scoring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a contract-2 image encoder made of one view: its embedding and its per-view outputs (in the
 * order {@code model.json} declares them), and the id of the model that made them. An exam head
 * runs only on encodings of its own model.
 *
 * @param modelId {@link ModelInfo#id()} of the encoding model
 * @param domain what the domain check measured on the view when it was encoded (null fields: not
 *     measured)
 */
public record ViewEncoding(
    String modelId, float[] embedding, Map<String, float[]> outputs, Measured domain) {
  public ViewEncoding {
    Objects.requireNonNull(modelId);
    Objects.requireNonNull(embedding);
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    domain = domain == null ? Measured.NONE : domain;
  }

  public ViewEncoding(String modelId, float[] embedding, Map<String, float[]> outputs) {
    this(modelId, embedding, outputs, Measured.NONE);
  }

  /**
   * The view's OOD score against the model's {@code domain.ood} (null: the model has none) and the
   * model input's gray mean and standard deviation (0..1).
   */
  public record Measured(Double oodScore, Double inputMean, Double inputStd) {
    public static final Measured NONE = new Measured(null, null, null);
  }

  /** True when every value is a finite number. */
  public boolean isFinite() {
    if (!finite(embedding)) {
      return false;
    }
    for (float[] v : outputs.values()) {
      if (!finite(v)) {
        return false;
      }
    }
    return true;
  }

  private static boolean finite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }
}
