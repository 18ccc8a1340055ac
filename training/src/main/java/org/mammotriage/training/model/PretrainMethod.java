package org.mammotriage.training.model;

import java.util.Locale;

/** The pretraining objectives. */
public enum PretrainMethod {
  /** Symmetric image–text InfoNCE on one view per breast (the view chosen at random). */
  CLIP,
  /**
   * CLIP + CC↔MLO InfoNCE; the view paired with the text is swapped with p = 0.5 (MV-MLM §3.3–3.4).
   */
  MVCLIP,
  /** MV-CLIP + geometry-guided local alignment of super-patches (GLAM §2.2). */
  GLAM;

  /** Parses {@code clip}, {@code mvclip}/{@code mv-clip}, {@code glam}. */
  public static PretrainMethod parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
      case "clip" -> CLIP;
      case "mvclip" -> MVCLIP;
      case "glam" -> GLAM;
      default ->
          throw new IllegalArgumentException(
              "unknown method '" + s + "': use clip, mvclip or glam");
    };
  }

  /** Whether a batch holds both views of each breast. */
  public boolean multiView() {
    return this != CLIP;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
