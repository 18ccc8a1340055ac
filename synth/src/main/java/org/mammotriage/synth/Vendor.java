package org.mammotriage.synth;

/**
 * Detector geometries and pixel conventions of the two synthetic "vendors": a large 14-bit
 * MONOCHROME2 detector with a window, and a smaller 12-bit MONOCHROME1 detector with a VOI LUT.
 */
public enum Vendor {
  A("MammoTriage Synthetic A", "SYN-DR4096", 4096, 3328, 0.065, 14, false),
  B("MammoTriage Synthetic B", "SYN-DR2294", 2294, 1914, 0.1, 12, true);

  final String manufacturer;
  final String model;
  final int rows;
  final int columns;
  final double spacingMm;
  final int bitsStored;
  final boolean monochrome1;

  Vendor(
      String manufacturer,
      String model,
      int rows,
      int columns,
      double spacingMm,
      int bitsStored,
      boolean monochrome1) {
    this.manufacturer = manufacturer;
    this.model = model;
    this.rows = rows;
    this.columns = columns;
    this.spacingMm = spacingMm;
    this.bitsStored = bitsStored;
    this.monochrome1 = monochrome1;
  }

  int rows(double scale) {
    return Math.max(32, (int) Math.round(rows * scale));
  }

  int columns(double scale) {
    return Math.max(24, (int) Math.round(columns * scale));
  }

  /** Pixel spacing at a scale: the field of view stays the same. */
  double spacing(double scale) {
    return spacingMm * rows / rows(scale);
  }

  int maxValue() {
    return (1 << bitsStored) - 1;
  }
}
