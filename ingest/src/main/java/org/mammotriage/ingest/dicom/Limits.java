package org.mammotriage.ingest.dicom;

/**
 * Bounds checked before any pixel is read, so no input can make ingest allocate or recurse without
 * limit: image size (rows, columns, frames), object size in bytes, and the header's structure
 * (sequence nesting depth, number of elements, length of one text value).
 */
public record Limits(
    int maxRows,
    int maxColumns,
    int maxFrames,
    long maxBytes,
    int maxSequenceDepth,
    int maxElements,
    int maxValueLength) {
  public static final int DEFAULT_SEQUENCE_DEPTH = 32;
  public static final int DEFAULT_ELEMENTS = 50_000;
  public static final int DEFAULT_VALUE_LENGTH = 65_536;

  /** Image and object bounds with the default header bounds. */
  public Limits(int maxRows, int maxColumns, int maxFrames, long maxBytes) {
    this(
        maxRows,
        maxColumns,
        maxFrames,
        maxBytes,
        DEFAULT_SEQUENCE_DEPTH,
        DEFAULT_ELEMENTS,
        DEFAULT_VALUE_LENGTH);
  }

  public static Limits defaults() {
    return new Limits(8192, 8192, 1, 256L * 1024 * 1024);
  }
}
