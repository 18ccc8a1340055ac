package org.mammotriage.ingest.preprocess;

/**
 * The model-ready image: 8-bit grayscale, chest wall on the left, cropped to the breast, {@code
 * rows}×{@code cols}.
 *
 * @param gray row-major 8-bit pixels
 * @param png the same pixels as a lossless PNG
 * @param version the preprocessing version and what was done (window used, inversion, flip, crop
 *     box)
 */
public record WorkingImage(byte[] gray, int rows, int cols, byte[] png, String version) {}
