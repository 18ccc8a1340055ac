package org.mammotriage.ingest.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Phantoms built in code: a bright half-disc against the chest wall on a dark background. */
class PreprocessorTest {
  static final int ROWS = 200;
  static final int COLS = 120;
  final Preprocessor pp = new Preprocessor(150, 90);

  /**
   * Tissue value 2000 inside a half-disc centred at row {@code cy} with radius {@code r}, chest
   * wall left or right.
   */
  static AttributeList phantom(
      boolean monochrome1, boolean chestWallRight, int cy, int r, String window) throws Exception {
    short[] px = new short[ROWS * COLS];
    for (int y = 0; y < ROWS; y++) {
      for (int x = 0; x < COLS; x++) {
        int d = chestWallRight ? COLS - 1 - x : x;
        boolean in = d * d + (y - cy) * (y - cy) < r * r;
        int v = in ? 2000 + (d % 7) * 10 : 0;
        px[y * COLS + x] = (short) (monochrome1 ? 4095 - v : v);
      }
    }
    AttributeList l = new AttributeList();
    put(l, TagFromName.Rows, ROWS);
    put(l, TagFromName.Columns, COLS);
    put(l, TagFromName.BitsAllocated, 16);
    put(l, TagFromName.BitsStored, 12);
    put(l, TagFromName.PixelRepresentation, 0);
    put(l, TagFromName.PhotometricInterpretation, monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
    put(l, TagFromName.PatientOrientation, chestWallRight ? "P" : "A", "L");
    if (window != null) {
      String[] cw = window.split(",");
      put(l, TagFromName.WindowCenter, cw[0]);
      put(l, TagFromName.WindowWidth, cw[1]);
    }
    OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
    a.setValues(px);
    l.put(a);
    return l;
  }

  static void put(AttributeList l, AttributeTag t, Object... v) throws Exception {
    Attribute a = AttributeFactory.newAttribute(t);
    for (Object o : v) {
      if (o instanceof Integer i) {
        a.addValue(i);
      } else {
        a.addValue(o.toString());
      }
    }
    l.put(a);
  }

  static double meanOfColumns(WorkingImage w, int x0, int x1) {
    double s = 0;
    int n = 0;
    for (int y = 0; y < w.rows(); y++) {
      for (int x = x0; x < x1; x++) {
        s += w.gray()[y * w.cols() + x] & 0xff;
        n++;
      }
    }
    return s / n;
  }

  /** Mean of a patch of breast tissue next to the chest wall, in the middle rows. */
  static double centre(WorkingImage w) {
    double s = 0;
    int n = 0;
    for (int y = w.rows() / 2 - 10; y < w.rows() / 2 + 10; y++) {
      for (int x = 0; x < 5; x++) {
        s += w.gray()[y * w.cols() + x] & 0xff;
        n++;
      }
    }
    return s / n;
  }

  @Test
  void shouldProduceTheConfiguredSizeWithTheChestWallOnTheLeft() throws Exception {
    WorkingImage w = pp.process(phantom(false, false, 100, 90, null));
    assertThat(w.rows()).isEqualTo(150);
    assertThat(w.cols()).isEqualTo(90);
    assertThat(meanOfColumns(w, 0, 10)).isGreaterThan(meanOfColumns(w, 80, 90) + 50);
    assertThat(w.png()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
  }

  @Test
  void shouldInvertMonochrome1ToTheSameImageAsMonochrome2() throws Exception {
    WorkingImage m2 = pp.process(phantom(false, false, 100, 90, null));
    WorkingImage m1 = pp.process(phantom(true, false, 100, 90, null));
    assertThat(m1.version()).contains("invert");
    for (int i = 0; i < m2.gray().length; i++) {
      assertThat(Math.abs((m1.gray()[i] & 0xff) - (m2.gray()[i] & 0xff))).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void shouldReadASignedImagesVoiLutDescriptorAsSignedWhenItArrivesAsUnsigned() throws Exception {
    // given: a signed image whose VOI LUT starts at a negative value, once with the descriptor as
    // written (SS) and once as implicit VR hands it over: US, 65536 - n (the conformance suite
    // found the working image off by 65 to 211 grey levels)
    AttributeList signed =
        org.mammotriage.ingest.testing.TestImages.mammogram()
            .bits(12)
            .signed(true)
            .voi("lut")
            .build();
    AttributeList asUs =
        org.mammotriage.ingest.testing.TestImages.mammogram()
            .bits(12)
            .signed(true)
            .voi("lut")
            .build();
    AttributeList item =
        ((com.pixelmed.dicom.SequenceAttribute) asUs.get(TagFromName.VOILUTSequence))
            .getItem(0)
            .getAttributeList();
    int[] d = item.get(TagFromName.LUTDescriptor).getIntegerValues();
    int first = (short) d[1]; // the first value mapped, as a signed 16-bit number
    assertThat(first).isNegative();
    Attribute ss = new com.pixelmed.dicom.SignedShortAttribute(TagFromName.LUTDescriptor);
    ss.addValue(d[0]);
    ss.addValue(first);
    ss.addValue(d[2]);
    ((com.pixelmed.dicom.SequenceAttribute) signed.get(TagFromName.VOILUTSequence))
        .getItem(0)
        .getAttributeList()
        .put(ss);
    Attribute us = new com.pixelmed.dicom.UnsignedShortAttribute(TagFromName.LUTDescriptor);
    us.addValue(d[0]);
    us.addValue(first + 65536);
    us.addValue(d[2]);
    item.put(us);

    // when
    WorkingImage expected = pp.process(signed);
    WorkingImage got = pp.process(asUs);

    // then
    assertThat(got.gray()).isEqualTo(expected.gray());
  }

  @Test
  void shouldFlipARightBreastSoItMatchesTheLeftOne() throws Exception {
    WorkingImage left = pp.process(phantom(false, false, 100, 90, null));
    WorkingImage right = pp.process(phantom(false, true, 100, 90, null));
    assertThat(right.version()).contains("flip");
    assertThat(left.version()).doesNotContain("flip");
    assertThat(right.gray()).isEqualTo(left.gray());
  }

  @Test
  void shouldCropToTheBreast() throws Exception {
    WorkingImage w = pp.process(phantom(false, false, 60, 40, null));
    // breast spans rows 20..100 and columns 0..40 of 200x120; the crop box keeps the chest wall and
    // a small margin
    String crop = w.version().replaceAll(".*crop=([0-9,]+).*", "$1");
    String[] b = crop.split(",");
    assertThat(Integer.parseInt(b[0])).isZero();
    assertThat(Integer.parseInt(b[1])).isBetween(8, 24);
    assertThat(Integer.parseInt(b[2])).isBetween(40, 56);
    assertThat(Integer.parseInt(b[3])).isBetween(96, 112);
  }

  @Test
  void shouldApplyTheWindowAndSaturateOutsideIt() throws Exception {
    WorkingImage narrow = pp.process(phantom(false, false, 100, 90, "1000,200"));
    assertThat(narrow.version()).contains("voi=window(1000,200)");
    // tissue at 2000..2060 is far above the window: white; background 0: black
    assertThat(centre(narrow)).isGreaterThan(250);
    assertThat(narrow.gray()[0] & 0xff).as("background corner").isLessThan(5);
    WorkingImage minmax = pp.process(phantom(false, false, 100, 90, null));
    assertThat(minmax.version()).contains("voi=minmax");
    assertThat(centre(minmax)).isLessThan(centre(narrow));
  }

  @Test
  void shouldGiveTheSameBytesForTheSameInput() throws Exception {
    WorkingImage a = pp.process(phantom(true, true, 90, 70, "2048,4096"));
    WorkingImage b = pp.process(phantom(true, true, 90, 70, "2048,4096"));
    assertThat(a.png()).isEqualTo(b.png());
    assertThat(a.version()).isEqualTo(b.version());
  }

  /** The phantom as 8-bit pixels: OB, or OW as dcmtk's storescu/dcmconv +te write them. */
  static AttributeList eightBit(boolean otherWord) throws Exception {
    AttributeList l = phantom(false, false, 100, 90, null);
    short[] sixteen = l.get(TagFromName.PixelData).getShortValues();
    byte[] px = new byte[sixteen.length];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (sixteen[i] >> 4);
    }
    put(l, TagFromName.BitsAllocated, 8);
    put(l, TagFromName.BitsStored, 8);
    Attribute a;
    if (otherWord) {
      // OW holds the bytes as little-endian 16-bit words: pixel 2i is the low byte of word i
      short[] words = new short[px.length / 2];
      for (int i = 0; i < words.length; i++) {
        words[i] = (short) ((px[2 * i] & 0xff) | (px[2 * i + 1] & 0xff) << 8);
      }
      a = new OtherWordAttribute(TagFromName.PixelData);
      a.setValues(words);
    } else {
      a = new OtherByteAttribute(TagFromName.PixelData);
      a.setValues(px);
    }
    l.put(a);
    return l;
  }

  @Test
  void shouldReadEightBitPixelDataStoredAsOtherWordLikeOtherByte() throws Exception {
    // given: the same 8-bit image with OB pixel data and with OW pixel data (storescu's default)
    WorkingImage ob = pp.process(eightBit(false));

    // when
    WorkingImage ow = pp.process(eightBit(true));

    // then
    assertThat(ow.gray()).isEqualTo(ob.gray());
    assertThat(meanOfColumns(ow, 0, 10)).isGreaterThan(meanOfColumns(ow, 80, 90) + 50);
  }

  @Test
  void shouldEncodeTheWorkingImageWithoutImageIosFileCache(@TempDir Path cache) throws Exception {
    // given: ImageIO set to cache in a folder that is gone, as its shutdown hook leaves the cache
    // of an encoder still running at SIGTERM
    boolean useCache = ImageIO.getUseCache();
    java.io.File dir = ImageIO.getCacheDirectory();
    Path gone = Files.createDirectory(cache.resolve("imageio"));
    ImageIO.setUseCache(true);
    ImageIO.setCacheDirectory(gone.toFile());
    Files.delete(gone);
    try {
      // when
      WorkingImage w = pp.process(phantom(false, false, 100, 90, null));

      // then
      assertThat(w.png()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    } finally {
      ImageIO.setUseCache(useCache);
      ImageIO.setCacheDirectory(dir);
    }
  }

  @Test
  void shouldStartTheCropAtTheBreastOnAFilmScanCentredInZeroPadding() throws Exception {
    // given: a film scan: the breast (chest wall on the left) starts 40 columns in, after zero
    // padding that holds a bright film label
    AttributeList l = phantom(false, false, 100, 90, null);
    short[] px = l.get(TagFromName.PixelData).getShortValues();
    short[] padded = new short[ROWS * COLS];
    for (int y = 0; y < ROWS; y++) {
      for (int x = 40; x < COLS; x++) {
        padded[y * COLS + x] = px[y * COLS + x - 40];
      }
      for (int x = 8; x < 20 && y > 10 && y < 30; x++) {
        padded[y * COLS + x] = 4000; // the film label
      }
    }
    OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
    a.setValues(padded);
    l.put(a);

    // when
    WorkingImage w = pp.process(l);

    // then: the crop starts at the breast, so the padding and the label are left out
    String crop = w.version().replaceAll(".*crop=([0-9,]+).*", "$1");
    assertThat(Integer.parseInt(crop.split(",")[0])).isBetween(28, 40);
  }
}
