package org.mammotriage.training.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Assigns patients to train/val/test by a seeded hash of the patient key, so that every image of a
 * patient lands in the same split (no leakage between splits) and the assignment is stable when
 * rows are added or reordered.
 */
public final class PatientSplitter {
  private final double trainFraction;
  private final double valFraction;
  private final String salt;

  /**
   * @param trainFraction e.g. 0.7
   * @param valFraction e.g. 0.1 (the rest is test)
   * @param seed changes the assignment
   */
  public PatientSplitter(double trainFraction, double valFraction, long seed) {
    if (trainFraction < 0 || valFraction < 0 || trainFraction + valFraction > 1) {
      throw new IllegalArgumentException(
          "split fractions must be >= 0 and sum to <= 1: train="
              + trainFraction
              + " val="
              + valFraction);
    }
    this.trainFraction = trainFraction;
    this.valFraction = valFraction;
    this.salt = Long.toString(seed);
  }

  /** 70/10/20, seed 0. */
  public static PatientSplitter standard() {
    return new PatientSplitter(0.7, 0.1, 0);
  }

  /** The split of a patient. */
  public String split(String patientId) {
    double u = unit(patientId);
    if (u < trainFraction) {
      return "train";
    }
    return u < trainFraction + valFraction ? "val" : "test";
  }

  /**
   * Splits a patient between train and val only (for sources that come with their own test set).
   */
  public String trainOrVal(String patientId) {
    return unit(patientId) < trainFraction / (trainFraction + valFraction) ? "train" : "val";
  }

  private double unit(String patientId) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      byte[] h = md.digest(patientId.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 7; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v / (double) (1L << 56);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
