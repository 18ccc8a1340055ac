package org.mammotriage.training.pretrain;

import java.util.Locale;
import org.mammotriage.training.model.PretrainMethod;

/**
 * One term of a pretraining objective switched off, to show what that term contributes (issue #22:
 * an ordering of the methods that does not hold is explained by ablations, not guesses). The
 * network, data, augmentation and schedule stay those of the method; only the loss changes.
 */
public enum Ablation {
  /** The objective as the paper writes it. */
  NONE("", "the paper's objective", null),
  /**
   * MV-CLIP without L_I,I (MV-MLM §3.3, eq. 3): only the image–text term with the view swap of §3.4
   * remains, so the difference to MV-CLIP is what the CC↔MLO term adds.
   */
  NO_VIEW_TERM(
      "noview", "MV-CLIP without the CC-MLO view term (MV-MLM eq. 3)", PretrainMethod.MVCLIP),
  /**
   * GLAM without L_local (GLAM §2.2, eq. 4): the global loss of eq. 2 alone, so the difference to
   * GLAM is what the geometry-guided local alignment adds.
   */
  NO_LOCAL_TERM(
      "nolocal", "GLAM without the local alignment term (GLAM eq. 4)", PretrainMethod.GLAM);

  private final String id;
  private final String description;
  private final PretrainMethod method;

  Ablation(String id, String description, PretrainMethod method) {
    this.id = id;
    this.description = description;
    this.method = method;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** Whether the ablated term exists in {@code m}'s objective. */
  public boolean appliesTo(PretrainMethod m) {
    return method == null || method == m;
  }

  /** A method and the term switched off, as named on the command line ({@code glam-nolocal}). */
  public record Variant(String name, PretrainMethod method, Ablation ablation) {}

  /**
   * Parses {@code clip}, {@code mvclip}, {@code glam}, {@code mama}, {@code mvclip-noview}, {@code
   * glam-nolocal}.
   */
  public static Variant parse(String s) {
    String name = s.trim().toLowerCase(Locale.ROOT);
    for (Ablation a : values()) {
      if (a != NONE && name.endsWith("-" + a.id)) {
        PretrainMethod m =
            PretrainMethod.parse(name.substring(0, name.length() - a.id.length() - 1));
        if (!a.appliesTo(m)) {
          throw new IllegalArgumentException(
              "'"
                  + s
                  + "': "
                  + a.id
                  + " applies to "
                  + a.method.id()
                  + " only ("
                  + a.description
                  + ")");
        }
        return new Variant(m.id() + "-" + a.id, m, a);
      }
    }
    PretrainMethod m = PretrainMethod.parse(name);
    return new Variant(m.id(), m, NONE);
  }
}
