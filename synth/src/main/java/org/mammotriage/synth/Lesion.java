package org.mammotriage.synth;

/**
 * A finding placed in 3-D breast coordinates, so that it appears at the same distance from the
 * chest wall in CC and MLO: {@code depthMm} from the chest wall along the nipple axis, {@code
 * ccOffsetMm} medial–lateral (the CC image's vertical axis), {@code mloOffsetMm} along the oblique
 * superior–inferior axis (MLO vertical).
 */
public record Lesion(
    Type type,
    double depthMm,
    double ccOffsetMm,
    double mloOffsetMm,
    double radiusMm,
    long shapeSeed) {

  /** What kind of finding. */
  public enum Type {
    BENIGN_MASS,
    MALIGNANT_MASS,
    BENIGN_CALCIFICATION,
    MALIGNANT_CALCIFICATION;

    public boolean malignant() {
      return this == MALIGNANT_MASS || this == MALIGNANT_CALCIFICATION;
    }

    public boolean mass() {
      return this == BENIGN_MASS || this == MALIGNANT_MASS;
    }
  }
}
