package org.mammotriage.schemas.registry;

import java.util.Locale;

/**
 * A subject's compatibility level as the Confluent API names it. The project's schemas evolve
 * BACKWARD (DESIGN §2): a consumer with the new schema reads records written with the old one.
 */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE;

  /** Parses a level, ignoring case; {@code IllegalArgumentException} names the valid ones. */
  public static CompatibilityLevel parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown compatibility level '"
              + s
              + "'; one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,"
              + " FULL_TRANSITIVE",
          e);
    }
  }

  /**
   * Whether a subject at this level enforces at least what {@code required} asks: FULL covers
   * BACKWARD and FORWARD, a transitive level covers its plain one, NONE covers only NONE.
   */
  public boolean satisfies(CompatibilityLevel required) {
    if (required == NONE || this == required) {
      return true;
    }
    boolean backward = this == BACKWARD || this == BACKWARD_TRANSITIVE || full();
    boolean forward = this == FORWARD || this == FORWARD_TRANSITIVE || full();
    boolean transitive =
        this == BACKWARD_TRANSITIVE || this == FORWARD_TRANSITIVE || this == FULL_TRANSITIVE;
    return switch (required) {
      case BACKWARD -> backward;
      case FORWARD -> forward;
      case FULL -> full();
      case BACKWARD_TRANSITIVE -> backward && transitive;
      case FORWARD_TRANSITIVE -> forward && transitive;
      case FULL_TRANSITIVE -> this == FULL_TRANSITIVE;
      case NONE -> true;
    };
  }

  private boolean full() {
    return this == FULL || this == FULL_TRANSITIVE;
  }
}
