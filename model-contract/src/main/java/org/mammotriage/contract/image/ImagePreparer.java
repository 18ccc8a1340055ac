package org.mammotriage.contract.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Turns an 8-bit working image (PNG) into the model's input: area-averaging resize to H×W, scale to
 * [0, 1], then (x − mean) / std. Used by the scorer and by training, so both see the same numbers.
 */
public final class ImagePreparer {
  private ImagePreparer() {}

  /** Decodes an 8-bit grayscale PNG into row-major bytes; {@code dims} receives {rows, cols}. */
  public static byte[] decodeGray(byte[] png, int[] dims) throws IOException {
    // what ingest writes (8-bit gray) is decoded directly; anything else goes through ImageIO
    byte[] direct = GrayPngDecoder.decode(png, dims);
    if (direct != null) {
      return direct;
    }
    return decodeGrayImageIo(png, dims);
  }

  /** The general ImageIO path (any PNG); the benchmark's baseline for the direct decoder. */
  public static byte[] decodeGrayImageIo(byte[] png, int[] dims) throws IOException {
    // the PNG reader directly: probing every ImageIO plugin is slow, and some (PixelMed's) print on
    // each probe
    javax.imageio.ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
    BufferedImage img;
    try (javax.imageio.stream.ImageInputStream in =
        ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
      reader.setInput(in, true, true);
      img = reader.read(0);
    } catch (RuntimeException e) {
      throw new IOException("not a readable PNG image: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
    if (img.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      BufferedImage g =
          new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
      g.getGraphics().drawImage(img, 0, 0, null);
      img = g;
    }
    dims[0] = img.getHeight();
    dims[1] = img.getWidth();
    return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
  }

  /**
   * Decodes a PNG and resizes it to the model input (not yet normalised): the part of preparation
   * that can run in parallel.
   */
  public static float[] decodeAndResize(byte[] png, int h, int w) throws IOException {
    return decodeAndResize(png, h, w, null);
  }

  /**
   * As {@link #decodeAndResize(byte[], int, int)}, writing into {@code into} (h×w floats, e.g. from
   * a pool) when given; returns the array written.
   */
  public static float[] decodeAndResize(byte[] png, int h, int w, float[] into) throws IOException {
    // what ingest writes (8-bit gray) is resized row by row as it inflates
    float[] direct = GrayPngDecoder.decodeResized(png, h, w, into);
    if (direct != null) {
      return direct;
    }
    int[] dims = new int[2];
    byte[] gray = decodeGrayImageIo(png, dims);
    return areaResize(gray, dims[0], dims[1], h, w);
  }

  /**
   * Decodes, resizes and normalises ((v/255 − mean)/std, the same float operations as {@link #put})
   * in one pass over the rows, writing into {@code into} (h×w) when given: what the scorer prepares
   * on its worker threads.
   */
  public static float[] decodeNormalised(
      byte[] png, int h, int w, double mean, double std, float[] into) throws IOException {
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    float[] direct = GrayPngDecoder.decodeNormalised(png, h, w, into, scale, shift);
    if (direct != null) {
      return direct;
    }
    float[] px = decodeAndResize(png, h, w, into);
    for (int i = 0; i < px.length; i++) {
      px[i] = px[i] * scale - shift;
    }
    return px;
  }

  /**
   * As {@link #decodeNormalised}, writing the h×w result into {@code dest} from {@code off} (the
   * model's input tensor) without an image-sized intermediate array for what ingest writes.
   */
  public static void decodeNormalisedInto(
      byte[] png, int h, int w, double mean, double std, java.nio.FloatBuffer dest, int off)
      throws IOException {
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    if (!GrayPngDecoder.decodeNormalisedInto(png, h, w, scale, shift, dest, off)) {
      dest.put(off, decodeNormalised(png, h, w, mean, std, null), 0, h * w);
    }
  }

  /** Area-averaging resize, the same code ingest uses for the working image. */
  public static float[] areaResize(byte[] src, int rows, int cols, int h, int w) {
    return org.mammotriage.contract.image.AreaResize.resize(src, rows, cols, h, w);
  }
}
