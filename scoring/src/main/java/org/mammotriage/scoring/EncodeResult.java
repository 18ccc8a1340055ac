package org.mammotriage.scoring;

/**
 * The outcome of encoding one image: the encoding, or why there is none.
 *
 * @param model the model asked (the active one when the call ran)
 * @param encoding null when {@code failure} is set
 * @param failure null, or one of the codes below
 */
public record EncodeResult(ModelInfo model, ViewEncoding encoding, String failure) {
  /** The active model is contract 1: it scores whole exams from pixels, keep the image. */
  public static final String MODEL_ENCODES_NO_VIEWS = "MODEL_ENCODES_NO_VIEWS";

  /** The working image does not decode (permanent: the same bytes never will). */
  public static final String UNDECODABLE_IMAGE = "UNDECODABLE_IMAGE";

  /** The encoder gave NaN or infinity. */
  public static final String NON_FINITE_OUTPUT = "NON_FINITE_OUTPUT";

  /** ONNX Runtime failed the run. */
  public static final String RUNTIME_ERROR = "RUNTIME_ERROR";

  static EncodeResult ok(ModelInfo model, ViewEncoding encoding) {
    return new EncodeResult(model, encoding, null);
  }

  static EncodeResult failed(ModelInfo model, String failure) {
    return new EncodeResult(model, null, failure);
  }

  public boolean encoded() {
    return encoding != null;
  }
}
