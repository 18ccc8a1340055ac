package org.mammotriage.training.model;

import java.util.Locale;

/** The pretraining objectives, with the temperatures their papers set. */
public enum PretrainMethod {
  /** Symmetric image–text InfoNCE on one view per breast (the view chosen at random). */
  CLIP(Temperatures.of(Temperature.learned(0.07), null, null)),
  /**
   * CLIP + CC↔MLO InfoNCE; the view paired with the text is swapped with p = 0.5 (MV-MLM §3.3–3.4).
   * τ1 = 0.007 (image–text) and τ2 = 0.1 (view–view) are set, not learned (MV-MLM §4.2).
   */
  MVCLIP(Temperatures.of(Temperature.fixed(0.007), Temperature.fixed(0.1), null)),
  /**
   * GLAM §2: L(v_cc, v_mlo) + ½ Σ both views' symmetric image–text terms + geometry-guided local
   * alignment of super-patches on depth-aligned columns. Every τ is learnable (GLAM eq. 1), started
   * at CLIP's 0.07.
   */
  GLAM(
      Temperatures.of(
          Temperature.learned(0.07), Temperature.learned(0.07), Temperature.learned(0.07))),
  /**
   * MaMA §3.2–3.3: image–image InfoNCE with a study-level partner, both images' image–text loss,
   * symmetric sentence↔patch local alignment (SLA). τ1 = τ2 = τ_local = 0.07 (MaMA §4.1), τ2 (the
   * language temperature) learnable, the others constants.
   */
  MAMA(
      Temperatures.of(Temperature.learned(0.07), Temperature.fixed(0.07), Temperature.fixed(0.07)));

  /** A contrastive temperature τ: its (initial) value and whether it is learned. */
  public record Temperature(double tau, boolean learnable) {
    public static Temperature learned(double tau) {
      return new Temperature(tau, true);
    }

    public static Temperature fixed(double tau) {
      return new Temperature(tau, false);
    }
  }

  /**
   * The temperatures of the image–text, image–image (view) and local terms; null where the method
   * has no such term.
   */
  public record Temperatures(Temperature text, Temperature view, Temperature local) {
    static Temperatures of(Temperature text, Temperature view, Temperature local) {
      return new Temperatures(text, view, local);
    }
  }

  private final Temperatures temperatures;

  PretrainMethod(Temperatures temperatures) {
    this.temperatures = temperatures;
  }

  public Temperatures temperatures() {
    return temperatures;
  }

  /** Parses {@code clip}, {@code mvclip}/{@code mv-clip}, {@code glam}, {@code mama}. */
  public static PretrainMethod parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
      case "clip" -> CLIP;
      case "mvclip" -> MVCLIP;
      case "glam" -> GLAM;
      case "mama" -> MAMA;
      default ->
          throw new IllegalArgumentException(
              "unknown method '" + s + "': use clip, mvclip, glam or mama");
    };
  }

  /** Whether a batch holds two images per sample (CC + MLO, or MaMA's image + partner). */
  public boolean multiView() {
    return this != CLIP;
  }

  /** Whether the two images of a sample are the CC and MLO of one breast (MV-CLIP, GLAM). */
  public boolean ccMloPairs() {
    return this == MVCLIP || this == GLAM;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
