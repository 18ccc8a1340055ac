package org.mammotriage.ingest.preprocess;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.util.Locale;
import org.mammotriage.contract.image.AreaResize;
import org.mammotriage.contract.image.GrayPngEncoder;

/**
 * DICOM pixels to the working image, the one path shared by ingest and training (no train/serve
 * skew): modality rescale, VOI LUT or the first window (else min–max), MONOCHROME1 inversion, flip
 * so the chest wall is on the left, crop to the breast (threshold + largest connected component),
 * pad to the working aspect, area-average resize to the working size (default 1520×912), lossless
 * 8-bit PNG.
 */
public final class Preprocessor {
  /** pp-2: the crop starts where the breast starts (pp-1 always started at x = 0). */
  public static final String VERSION = "pp-2";

  private final int outRows;
  private final int outCols;

  public Preprocessor(int outRows, int outCols) {
    this.outRows = outRows;
    this.outCols = outCols;
  }

  public static Preprocessor defaults() {
    return new Preprocessor(1520, 912);
  }

  /** {@code list} must hold uncompressed pixel data (PixelMed decompresses on read). */
  public WorkingImage process(AttributeList list) throws DicomException, IOException {
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int cols = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    Attribute px = list.get(TagFromName.PixelData);
    if (px == null || rows <= 0 || cols <= 0) {
      throw new DicomException("no pixel data");
    }
    int bitsAllocated =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16);
    StoredPixels stored;
    if (bitsAllocated == 8) {
      byte[] b = eightBitValues(px);
      stored = new StoredPixels.Bytes(b, 0, b.length);
    } else {
      short[] sv = px.getShortValues();
      stored = new StoredPixels.Words(sv == null ? new short[0] : sv, sv == null ? 0 : sv.length);
    }
    return process(list, stored);
  }

  /**
   * As {@link #process(AttributeList)}, with the pixels given apart from the header (which then
   * need not hold Pixel Data): ingest reads a native little-endian file's pixel data straight into
   * a buffer instead of parsing the file a second time.
   */
  public WorkingImage process(AttributeList list, StoredPixels stored)
      throws DicomException, IOException {
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int cols = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    if (rows <= 0 || cols <= 0) {
      throw new DicomException("no pixel data");
    }
    int n = rows * cols;
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    int bitsStored = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, 16);
    int bitsAllocated =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16);
    int bits = bitsAllocated == 8 ? 8 : Math.min(16, bitsStored);
    int mask = (1 << bits) - 1;
    check(stored.length() >= n, "pixel data shorter than Rows x Columns");
    StringBuilder steps = new StringBuilder(VERSION);
    double slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
    double intercept =
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
    if (slope != 1.0 || intercept != 0.0) {
      steps.append(";rescale");
    }
    // every stored value maps through rescale, VOI and inversion the same way: one table, one pass
    // over the pixels
    double[] modality = new double[mask + 1];
    int shift = 32 - bits;
    for (int r = 0; r <= mask; r++) {
      int value = signed ? (r << shift) >> shift : r;
      modality[r] = value * slope + intercept;
    }
    float[] lut = new float[mask + 1];
    steps.append(';').append(voi(list, modality, stored, n, lut));
    String photometric =
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation)
            .trim();
    if (photometric.equals("MONOCHROME1")) {
      for (int r = 0; r < lut.length; r++) {
        lut[r] = 1f - lut[r];
      }
      steps.append(";invert");
    }
    // No float copy of the whole image: the display values are looked up where they are needed
    // (a sample of rows for the side, every 4th pixel for the crop, the crop's rows for the
    // resize), through the table, in the (possibly flipped) orientation.
    Display d = new Display(stored, lut, mask, rows, cols, false);
    if (chestWallOnRight(list, d)) {
      d = new Display(stored, lut, mask, rows, cols, true);
      steps.append(";flip");
    }
    int[] box = breastBox(d.sample(4), Math.max(1, rows / 4), Math.max(1, cols / 4), rows, cols);
    steps.append(String.format(Locale.ROOT, ";crop=%d,%d,%d,%d", box[0], box[1], box[2], box[3]));
    byte[] gray = resize(d, box);
    steps.append(";size=").append(outRows).append('x').append(outCols);
    return new WorkingImage(gray, outRows, outCols, png(gray), steps.toString());
  }

  /**
   * 8-bit pixel values in pixel order. DICOM allows OW as well as OB for 8-bit pixel data in
   * explicit VR (dcmtk's storescu writes OW when it converts an implicit VR file); OW holds them as
   * 16-bit words, pixel 2i in the low byte of word i, whatever the transfer syntax's byte order.
   */
  static byte[] eightBitValues(Attribute px) throws DicomException {
    if (!(px instanceof OtherWordAttribute)) {
      return px.getByteValues();
    }
    short[] words = px.getShortValues();
    byte[] b = new byte[words.length * 2];
    for (int i = 0; i < words.length; i++) {
      b[2 * i] = (byte) words[i];
      b[2 * i + 1] = (byte) (words[i] >> 8);
    }
    return b;
  }

  /**
   * VOI: the VOI LUT Sequence, else the first window, else min–max over the pixels present; fills
   * {@code lut} (indexed by stored value) with display values in [0, 1].
   */
  private static String voi(
      AttributeList list, double[] modality, StoredPixels stored, int n, float[] lut)
      throws DicomException {
    if (list.get(TagFromName.VOILUTSequence) instanceof SequenceAttribute seq
        && seq.getNumberOfItems() > 0) {
      AttributeList item = seq.getItem(0).getAttributeList();
      int[] desc = item.get(TagFromName.LUTDescriptor).getIntegerValues();
      int entries = desc[0] == 0 ? 65536 : desc[0];
      int first = desc[1];
      if (first > Short.MAX_VALUE && min(modality) < 0) {
        // US or SS (PS3.3 C.11.2.1.1): signed when the values it maps are; an implicit VR file
        // cannot say which, and PixelMed reads US from its dictionary
        first -= 1 << 16;
      }
      int bits = desc[2];
      Attribute data = item.get(TagFromName.LUTData);
      int[] table;
      if (data instanceof OtherWordAttribute) {
        short[] sv = data.getShortValues();
        table = new int[sv.length];
        for (int i = 0; i < sv.length; i++) {
          table[i] = sv[i] & 0xffff;
        }
      } else {
        table = data.getIntegerValues();
      }
      if (table == null || table.length < entries) {
        throw new DicomException(
            "VOI LUT Data has "
                + (table == null ? 0 : table.length)
                + " entries, descriptor says "
                + entries);
      }
      float max = (1 << bits) - 1;
      for (int r = 0; r < lut.length; r++) {
        int idx = Math.min(entries - 1, Math.max(0, (int) modality[r] - first));
        lut[r] = table[idx] / max;
      }
      return "voi=lut";
    }
    double[] centers = doubles(list, TagFromName.WindowCenter);
    double[] widths = doubles(list, TagFromName.WindowWidth);
    if (centers.length > 0 && widths.length > 0 && widths[0] > 1) {
      double c = centers[0];
      double w = widths[0];
      // DICOM PS3.3 C.11.2.1.2 linear window
      double lo = c - 0.5 - (w - 1) / 2;
      double span = w - 1;
      for (int r = 0; r < lut.length; r++) {
        lut[r] = (float) Math.min(1, Math.max(0, (modality[r] - lo) / span));
      }
      return String.format(Locale.ROOT, "voi=window(%.0f,%.0f)", c, w);
    }
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    boolean[] present = new boolean[lut.length];
    stored.markPresent(present, lut.length - 1, n);
    for (int r = 0; r < lut.length; r++) {
      if (present[r]) {
        min = Math.min(min, modality[r]);
        max = Math.max(max, modality[r]);
      }
    }
    double range = Math.max(1e-6, max - min);
    for (int r = 0; r < lut.length; r++) {
      lut[r] = (float) ((modality[r] - min) / range);
    }
    return "voi=minmax";
  }

  private static double min(double[] values) {
    double m = Double.MAX_VALUE;
    for (double v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  private static double[] doubles(AttributeList l, com.pixelmed.dicom.AttributeTag t)
      throws DicomException {
    Attribute a = l.get(t);
    return a == null || a.getVM() == 0 ? new double[0] : a.getDoubleValues();
  }

  /**
   * PatientOrientation says where columns run (A: towards the nipple, chest wall left); else the
   * brighter side.
   */
  private static boolean chestWallOnRight(AttributeList l, Display d) throws DicomException {
    int rows = d.rows;
    int cols = d.cols;
    Attribute po = l.get(TagFromName.PatientOrientation);
    if (po != null && po.getVM() >= 1) {
      String first = po.getStringValues()[0].trim().toUpperCase(Locale.ROOT);
      if (first.startsWith("A")) {
        return false;
      }
      if (first.startsWith("P")) {
        return true;
      }
    }
    double left = 0;
    double right = 0;
    int band = Math.max(1, cols / 10);
    for (int y = 0; y < rows; y += 4) {
      for (int x = 0; x < band; x++) {
        left += d.at(y * cols + x);
        right += d.at(y * cols + cols - 1 - x);
      }
    }
    return right > left;
  }

  /**
   * Bounding box {x0, y0, x1, y1} (exclusive ends) of the largest connected bright region, found on
   * a 4x-downsampled mask, with a small margin. It starts where the breast starts: at the chest
   * wall (x0 = 0) on a digital mammogram, further in on a film scan centred in a zero-padded frame,
   * so that neither the padding nor the film labels in it are kept.
   */
  static int[] breastBox(float[] v, int rows, int cols) {
    int f = 4;
    int r = Math.max(1, rows / f);
    int c = Math.max(1, cols / f);
    float[] small = new float[r * c];
    for (int y = 0; y < r; y++) {
      for (int x = 0; x < c; x++) {
        small[y * c + x] = v[(y * f) * cols + x * f];
      }
    }
    return breastBox(small, r, c, rows, cols);
  }

  /**
   * {@link #breastBox(float[], int, int)} on the image already sampled every 4th pixel of every 4th
   * row ({@code small}, r×c).
   */
  static int[] breastBox(float[] small, int r, int c, int rows, int cols) {
    int f = 4;
    boolean[] mask = new boolean[r * c];
    double thr = 0.08;
    for (int i = 0; i < mask.length; i++) {
      mask[i] = small[i] > thr;
    }
    int[] label = new int[r * c];
    int best = -1;
    int bestSize = 0;
    int[] bestBox = null;
    int next = 1;
    int[] q = new int[r * c];
    for (int i = 0; i < mask.length; i++) {
      if (!mask[i] || label[i] != 0) {
        continue;
      }
      int id = next++;
      int size = 0;
      int x0 = c;
      int y0 = r;
      int x1 = 0;
      int y1 = 0;
      label[i] = id;
      int head = 0;
      int tail = 0;
      q[tail++] = i;
      while (head < tail) {
        int p = q[head++];
        size++;
        int py = p / c;
        int px = p % c;
        x0 = Math.min(x0, px);
        x1 = Math.max(x1, px);
        y0 = Math.min(y0, py);
        y1 = Math.max(y1, py);
        if (px > 0 && mask[p - 1] && label[p - 1] == 0) {
          label[p - 1] = id;
          q[tail++] = p - 1;
        }
        if (px < c - 1 && mask[p + 1] && label[p + 1] == 0) {
          label[p + 1] = id;
          q[tail++] = p + 1;
        }
        if (py > 0 && mask[p - c] && label[p - c] == 0) {
          label[p - c] = id;
          q[tail++] = p - c;
        }
        if (py < r - 1 && mask[p + c] && label[p + c] == 0) {
          label[p + c] = id;
          q[tail++] = p + c;
        }
      }
      if (size > bestSize) {
        bestSize = size;
        best = id;
        bestBox = new int[] {x0, y0, x1, y1};
      }
    }
    if (best < 0 || bestSize < 16) {
      return new int[] {0, 0, cols, rows}; // nothing that looks like a breast: keep the whole image
    }
    int m = 2; // margin in downsampled pixels
    return new int[] {
      Math.max(0, (bestBox[0] - m) * f),
      Math.max(0, (bestBox[1] - m) * f),
      Math.min(cols, (bestBox[2] + 1 + m) * f),
      Math.min(rows, (bestBox[3] + 1 + m) * f)
    };
  }

  /**
   * Pads the crop to the working aspect (chest wall kept at the left, breast centred vertically)
   * and area-averages.
   */
  private byte[] resize(Display d, int[] box) {
    int bw = box[2] - box[0];
    int bh = box[3] - box[1];
    double aspect = (double) outRows / outCols;
    int cw = bw;
    int ch = bh;
    if ((double) bh / bw > aspect) {
      cw = (int) Math.ceil(bh / aspect);
    } else {
      ch = (int) Math.ceil(bw * aspect);
    }
    int yOff = (ch - bh) / 2;
    // area-average straight from the crop; the padding (zeros) is virtual, so no padded copy is
    // allocated
    float[] out =
        AreaResize.resizeRegion(d::row, box[0], box[1], bw, bh, ch, cw, yOff, outRows, outCols);
    byte[] g = new byte[out.length];
    for (int i = 0; i < out.length; i++) {
      g[i] = (byte) Math.round(Math.min(1f, Math.max(0f, out[i])) * 255f);
    }
    return g;
  }

  /**
   * Lossless 8-bit grayscale PNG, deflated with libdeflate ({@link GrayPngEncoder}; ImageIO's
   * writer took about 24 ms of a full-size image's time). No ImageIO, so no ImageIO file cache.
   */
  private byte[] png(byte[] gray) {
    return GrayPngEncoder.encode(gray, outRows, outCols);
  }

  /**
   * The display values of the image (stored value → table), as the image would be after flipping it
   * left-right when {@code flipped}: pixel (y, x) is stored pixel (y, cols − 1 − x).
   */
  private static final class Display {
    final StoredPixels stored;
    final float[] lut;
    final int mask;
    final int rows;
    final int cols;
    final boolean flipped;

    Display(StoredPixels stored, float[] lut, int mask, int rows, int cols, boolean flipped) {
      this.stored = stored;
      this.lut = lut;
      this.mask = mask;
      this.rows = rows;
      this.cols = cols;
      this.flipped = flipped;
    }

    /** The display value of stored pixel {@code i} (not flipped: the side test reads both). */
    float at(int i) {
      return lut[stored.value(i) & mask];
    }

    /** Every f-th pixel of every f-th row, (rows/f)×(cols/f), in this orientation. */
    float[] sample(int f) {
      int r = Math.max(1, rows / f);
      int c = Math.max(1, cols / f);
      float[] out = new float[r * c];
      for (int y = 0; y < r; y++) {
        int base = y * f * cols;
        for (int x = 0; x < c; x++) {
          int sx = flipped ? cols - 1 - x * f : x * f;
          out[y * c + x] = lut[stored.value(base + sx) & mask];
        }
      }
      return out;
    }

    /** Row y's pixels x0 .. x0+len−1 in this orientation, into {@code into[0..len)}. */
    void row(int y, int x0, int len, float[] into) {
      int base = y * cols;
      if (flipped) {
        stored.mapRun(lut, mask, base + cols - 1 - x0, -1, len, into);
      } else {
        stored.mapRun(lut, mask, base + x0, 1, len, into);
      }
    }
  }

  private static void check(boolean ok, String what) throws DicomException {
    if (!ok) {
      throw new DicomException(what);
    }
  }
}
