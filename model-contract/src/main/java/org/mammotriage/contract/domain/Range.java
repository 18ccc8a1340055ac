package org.mammotriage.contract.domain;

/** A closed interval [min, max] of a validated quantity. */
public record Range(double min, double max) {
  public boolean contains(double v) {
    return v >= min && v <= max;
  }
}
