package org.mammotriage.scoring;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import javax.imageio.ImageIO;

/**
 * Turns an 8-bit working image (PNG) into the model's input: area-averaging resize to H×W, scale to [0, 1], then
 * (x − mean) / std. Used by the scorer and by training, so both see the same numbers.
 */
public final class ImagePreparer {
  private ImagePreparer() {}

  /** Decodes an 8-bit grayscale PNG into row-major bytes; {@code dims} receives {rows, cols}. */
  public static byte[] decodeGray(byte[] png, int[] dims) throws IOException {
    // the PNG reader directly: probing every ImageIO plugin is slow, and some (PixelMed's) print on each probe
    javax.imageio.ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
    BufferedImage img;
    try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
      reader.setInput(in, true, true);
      img = reader.read(0);
    } catch (RuntimeException e) {
      throw new IOException("not a readable PNG image: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
    if (img.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      BufferedImage g = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
      g.getGraphics().drawImage(img, 0, 0, null);
      img = g;
    }
    dims[0] = img.getHeight();
    dims[1] = img.getWidth();
    return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
  }

  /** Decodes a PNG and resizes it to the model input (not yet normalised): the part of preparation that can run in parallel. */
  public static float[] decodeAndResize(byte[] png, int h, int w) throws IOException {
    int[] dims = new int[2];
    byte[] gray = decodeGray(png, dims);
    return areaResize(gray, dims[0], dims[1], h, w);
  }

  /** Writes resized pixels, normalised, at the buffer's absolute {@code offset}. */
  public static void put(float[] resized, double mean, double std, FloatBuffer dst, int offset) {
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    for (int i = 0; i < resized.length; i++) {
      dst.put(offset + i, resized[i] * scale - shift);
    }
  }

  /** Writes H×W normalised floats for one image at the buffer's absolute {@code offset}. */
  public static void fill(byte[] gray, int rows, int cols, int h, int w, double mean, double std, FloatBuffer dst, int offset) {
    float[] out = areaResize(gray, rows, cols, h, w);
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    for (int i = 0; i < out.length; i++) {
      dst.put(offset + i, out[i] * scale - shift);
    }
  }

  /** Area-averaging resize (each output pixel is the mean of the input area it covers, fractional edges weighted). */
  public static float[] areaResize(byte[] src, int rows, int cols, int h, int w) {
    float[] tmp = new float[rows * w];
    int[][] cx = spans(cols, w);
    float[][] cwt = weights(cols, w, cx);
    for (int y = 0; y < rows; y++) {
      int base = y * cols;
      for (int x = 0; x < w; x++) {
        float acc = 0;
        float[] wt = cwt[x];
        int start = cx[x][0];
        for (int k = 0; k < wt.length; k++) {
          acc += (src[base + start + k] & 0xff) * wt[k];
        }
        tmp[y * w + x] = acc;
      }
    }
    float[] out = new float[h * w];
    int[][] ry = spans(rows, h);
    float[][] rwt = weights(rows, h, ry);
    for (int y = 0; y < h; y++) {
      float[] wt = rwt[y];
      int start = ry[y][0];
      for (int k = 0; k < wt.length; k++) {
        float f = wt[k];
        int row = (start + k) * w;
        int orow = y * w;
        for (int x = 0; x < w; x++) {
          out[orow + x] += tmp[row + x] * f;
        }
      }
    }
    return out;
  }

  private static int[][] spans(int n, int m) {
    int[][] s = new int[m][2];
    double ratio = (double) n / m;
    for (int i = 0; i < m; i++) {
      double a = i * ratio;
      double b = (i + 1) * ratio;
      s[i][0] = (int) Math.floor(a);
      s[i][1] = Math.min(n, (int) Math.ceil(b));
    }
    return s;
  }

  private static float[][] weights(int n, int m, int[][] spans) {
    double ratio = (double) n / m;
    float[][] w = new float[m][];
    for (int i = 0; i < m; i++) {
      double a = i * ratio;
      double b = (i + 1) * ratio;
      int s = spans[i][0];
      int e = spans[i][1];
      w[i] = new float[e - s];
      for (int k = s; k < e; k++) {
        double cover = Math.min(b, k + 1) - Math.max(a, k);
        w[i][k - s] = (float) (cover / ratio);
      }
    }
    return w;
  }
}
