package org.mammotriage.training.report;

import java.util.Random;

/**
 * MaMA's meta-information masking: each patient/image meta field (age, race, ethnicity, image type,
 * side, view) is independently replaced by "unknown" with probability {@code m} when a training
 * report is built, so the model cannot shortcut through meta-data. Evaluation uses {@link #none()}.
 */
public final class MetaMasking {
  /**
   * The fields that may be masked, in the order random numbers are drawn (keeps runs reproducible).
   */
  public enum Field {
    AGE,
    RACE,
    ETHNICITY,
    IMAGE_TYPE,
    SIDE,
    VIEW
  }

  private final double probability;
  private final Random random;

  private MetaMasking(double probability, Random random) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException(
          "masking probability must be in [0,1], got " + probability);
    }
    this.probability = probability;
    this.random = random;
  }

  /** Training masking with probability {@code m} (MaMA uses 0.8), drawing from {@code random}. */
  public static MetaMasking training(double m, Random random) {
    return new MetaMasking(m, random);
  }

  /** No masking (evaluation, zero-shot prompts). */
  public static MetaMasking none() {
    return new MetaMasking(0, null);
  }

  public double probability() {
    return probability;
  }

  /** Draws the mask for one report: {@code masked[f.ordinal()]} is true when field f is hidden. */
  public boolean[] draw() {
    boolean[] masked = new boolean[Field.values().length];
    if (probability == 0) {
      return masked;
    }
    for (Field f : Field.values()) {
      masked[f.ordinal()] = random.nextDouble() < probability;
    }
    return masked;
  }
}
