package org.mammotriage.contract;

import java.util.Optional;

/** The four standard screening views, in the order of the model's {@code views} tensor. */
public enum Slot {
  L_CC("L", "CC"),
  L_MLO("L", "MLO"),
  R_CC("R", "CC"),
  R_MLO("R", "MLO");

  private final String laterality;
  private final String view;

  Slot(String laterality, String view) {
    this.laterality = laterality;
    this.view = view;
  }

  public String laterality() {
    return laterality;
  }

  public String view() {
    return view;
  }

  /** 0 for left, 1 for right: the index into the model's {@code malignancy} output. */
  public int breastIndex() {
    return laterality.equals("L") ? 0 : 1;
  }

  /** The slot for a laterality (L/R) and a standard view (CC/MLO); empty for anything else. */
  public static Optional<Slot> of(String laterality, String view) {
    for (Slot s : values()) {
      if (s.laterality.equals(laterality) && s.view.equals(view)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
