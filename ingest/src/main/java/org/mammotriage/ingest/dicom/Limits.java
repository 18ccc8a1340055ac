package org.mammotriage.ingest.dicom;

/** Bounds checked before any pixel is read, so no input can make ingest allocate without limit. */
public record Limits(int maxRows, int maxColumns, int maxFrames, long maxBytes) {
  public static Limits defaults() {
    return new Limits(8192, 8192, 1, 256L * 1024 * 1024);
  }
}
