package org.mammotriage.training.data;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the model's pixels lie in millimetres: the detector pixel spacing and the crop that
 * ingest's preprocessing took (the breast box, padded on the right or at the bottom to the working
 * aspect, chest wall at column 0). With it a model column is a known distance from the chest wall,
 * which GLAM's depth-aligned columns need: the ingest crop scales CC and MLO differently (the MLO
 * box is taller), so equal column fractions are different depths in the two views.
 *
 * @param spacingMm column pixel spacing of the DICOM (PixelSpacing, else ImagerPixelSpacing); NaN
 *     when unknown
 * @param cropWidth width of the breast box in source pixels (chest wall to the skin, plus margin)
 * @param paddedWidth width of the padded box the working image covers, in source pixels
 */
public record ViewGeometry(double spacingMm, int cropWidth, int paddedWidth) {
  private static final Pattern CROP = Pattern.compile("crop=(\\d+),(\\d+),(\\d+),(\\d+)");
  private static final Pattern SIZE = Pattern.compile("size=(\\d+)x(\\d+)");

  public static ViewGeometry unknown() {
    return new ViewGeometry(Double.NaN, 0, 0);
  }

  public boolean known() {
    return Double.isFinite(spacingMm) && spacingMm > 0 && paddedWidth > 0;
  }

  /** Millimetres per column of an image of {@code width} columns covering the working image. */
  public double mmPerColumn(int width) {
    return known() ? spacingMm * paddedWidth / width : Double.NaN;
  }

  /** Depth of the breast box from the chest wall in mm. */
  public double breastDepthMm() {
    return known() ? spacingMm * cropWidth : Double.NaN;
  }

  /**
   * From the working image's preprocessing record ({@code ...;crop=x0,y0,x1,y1;size=RxC}) and the
   * spacing: the padding rule mirrors ingest's {@code Preprocessor} (pad the short side of the box
   * to the working aspect).
   */
  public static ViewGeometry of(double spacingMm, String preprocessing) {
    Matcher c = CROP.matcher(preprocessing);
    Matcher s = SIZE.matcher(preprocessing);
    if (!c.find() || !s.find() || !(spacingMm > 0)) {
      return unknown();
    }
    int bw = Integer.parseInt(c.group(3)) - Integer.parseInt(c.group(1));
    int bh = Integer.parseInt(c.group(4)) - Integer.parseInt(c.group(2));
    double aspect = Double.parseDouble(s.group(1)) / Double.parseDouble(s.group(2));
    int cw = (double) bh / bw > aspect ? (int) Math.ceil(bh / aspect) : bw;
    return new ViewGeometry(spacingMm, bw, cw);
  }

  /** One line of text (the sidecar file of the working-image cache). */
  String serialize() {
    return String.format(Locale.ROOT, "%s %d %d", spacingMm, cropWidth, paddedWidth);
  }

  static ViewGeometry parse(String line) {
    String[] f = line.trim().split("\\s+");
    return new ViewGeometry(
        Double.parseDouble(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
  }
}
