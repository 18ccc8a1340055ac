package org.mammotriage.ingest.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small, valid Digital Mammography For Presentation objects built in code (a bright half-disc
 * against the chest wall on a dark background), with the pixel module chosen by the test: bits,
 * signedness, MONOCHROME1/2, window, VOI LUT sequence. What ingest needs of an MG image and no
 * more; the synthetic archive ({@code synth/}) makes full, dciodvfy-clean studies.
 */
public final class TestImages {
  public static final String MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2";
  private static final AtomicLong SERIAL = new AtomicLong();

  private int rows = 128;
  private int cols = 96;
  private int bitsAllocated = 16;
  private int bitsStored = 12;
  private boolean signed;
  private boolean monochrome1;
  private String voi = "none";
  private String laterality = "L";
  private String view = "CC";
  private String studyUid;
  private String patientId = "TEST-PATIENT-1";
  private String patientName = "Testperson^Anna";

  private TestImages() {}

  /** A 128x96 12-bit MONOCHROME2 left CC image. */
  public static TestImages mammogram() {
    return new TestImages();
  }

  public TestImages size(int r, int c) {
    this.rows = r;
    this.cols = c;
    return this;
  }

  /** 8 (BitsStored 8), 12 or 16 bits stored; 12 and 16 are allocated 16. */
  public TestImages bits(int stored) {
    this.bitsStored = stored;
    this.bitsAllocated = stored <= 8 ? 8 : 16;
    return this;
  }

  public TestImages signed(boolean s) {
    this.signed = s;
    return this;
  }

  public TestImages monochrome1(boolean m) {
    this.monochrome1 = m;
    return this;
  }

  /** "none", "window" (centre/width) or "lut" (a VOI LUT Sequence). */
  public TestImages voi(String v) {
    this.voi = v;
    return this;
  }

  public TestImages laterality(String l) {
    this.laterality = l;
    return this;
  }

  public TestImages view(String v) {
    this.view = v;
    return this;
  }

  public TestImages study(String uid) {
    this.studyUid = uid;
    return this;
  }

  public TestImages patient(String id, String name) {
    this.patientId = id;
    this.patientName = name;
    return this;
  }

  /** The stored value of a pixel: tissue in a half-disc at the left edge, background 0. */
  int stored(int y, int x) {
    int max = (1 << bitsStored) - 1;
    double cy = rows / 2.0;
    double r = rows * 0.42;
    double d2 = x * (double) x + (y - cy) * (y - cy);
    double v = d2 < r * r ? 0.55 + 0.3 * Math.cos(x * 0.3) * Math.sin(y * 0.2) : 0.02;
    int s = (int) Math.round(v * max);
    if (signed) {
      s -= 1 << (bitsStored - 1); // centre the range on zero
    }
    return monochrome1 ? (signed ? -1 - s : max - s) : s;
  }

  public AttributeList build() throws DicomException {
    long n = SERIAL.incrementAndGet();
    String root = "2.25.4711" + System.nanoTime() % 1_000_000_000L + "." + n;
    AttributeList l = new AttributeList();
    put(l, TagFromName.SOPClassUID, MG_FOR_PRESENTATION);
    put(l, TagFromName.SOPInstanceUID, root + ".3");
    put(l, TagFromName.StudyInstanceUID, studyUid != null ? studyUid : root + ".1");
    put(l, TagFromName.SeriesInstanceUID, root + ".2");
    put(l, TagFromName.Modality, "MG");
    put(l, new AttributeTag(0x0008, 0x0068), "FOR PRESENTATION");
    put(l, TagFromName.PatientID, patientId);
    put(l, TagFromName.PatientName, patientName);
    put(l, TagFromName.AccessionNumber, "ACC" + n);
    put(l, new AttributeTag(0x0020, 0x0062), laterality);
    put(l, TagFromName.ViewPosition, view);
    put(l, TagFromName.PatientOrientation, "A", laterality.equals("L") ? "R" : "L");
    put(l, TagFromName.Rows, rows);
    put(l, TagFromName.Columns, cols);
    put(l, TagFromName.SamplesPerPixel, 1);
    put(l, TagFromName.PhotometricInterpretation, monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
    put(l, TagFromName.BitsAllocated, bitsAllocated);
    put(l, TagFromName.BitsStored, bitsStored);
    put(l, TagFromName.HighBit, bitsStored - 1);
    put(l, TagFromName.PixelRepresentation, signed ? 1 : 0);
    put(l, TagFromName.PixelSpacing, "0.1", "0.1");
    int max = (1 << bitsStored) - 1;
    int offset = signed ? 1 << (bitsStored - 1) : 0;
    if (voi.equals("window")) {
      put(l, TagFromName.WindowCenter, Integer.toString(max / 2 - offset));
      put(l, TagFromName.WindowWidth, Integer.toString(max));
    } else if (voi.equals("lut")) {
      l.put(voiLut(max, offset));
    }
    if (bitsAllocated == 8) {
      byte[] px = new byte[rows * cols];
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          px[y * cols + x] = (byte) stored(y, x);
        }
      }
      Attribute a = new OtherByteAttribute(TagFromName.PixelData);
      a.setValues(px);
      l.put(a);
    } else {
      short[] px = new short[rows * cols];
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          px[y * cols + x] = (short) stored(y, x);
        }
      }
      Attribute a = new OtherWordAttribute(TagFromName.PixelData);
      a.setValues(px);
      l.put(a);
    }
    return l;
  }

  /** A linear VOI LUT over the stored range, 12-bit output. */
  private SequenceAttribute voiLut(int max, int offset) throws DicomException {
    int entries = Math.min(4096, max + 1);
    AttributeList item = new AttributeList();
    Attribute desc = AttributeFactory.newAttribute(TagFromName.LUTDescriptor);
    desc.addValue(entries);
    desc.addValue(-offset);
    desc.addValue(12);
    item.put(desc);
    short[] table = new short[entries];
    for (int i = 0; i < entries; i++) {
      table[i] = (short) Math.round(i * 4095.0 / (entries - 1));
    }
    Attribute data = new OtherWordAttribute(TagFromName.LUTData);
    data.setValues(table);
    item.put(data);
    SequenceAttribute seq = new SequenceAttribute(TagFromName.VOILUTSequence);
    seq.addItem(new SequenceItem(item));
    return seq;
  }

  /** Builds and writes a Part-10 file in the given (uncompressed) transfer syntax. */
  public Path write(Path file, String transferSyntax) throws DicomException, IOException {
    return writeList(build(), file, transferSyntax);
  }

  /** Writes a list (e.g. a built one the test changed) as a Part-10 file. */
  public static Path writeList(AttributeList l, Path file, String transferSyntax)
      throws DicomException, IOException {
    java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
    l.removeGroupLengthAttributes();
    l.removeMetaInformationHeaderAttributes();
    FileMetaInformation.addFileMetaInformation(l, transferSyntax, "TESTIMAGES");
    l.write(file.toFile(), transferSyntax, true, true);
    return file;
  }

  public static Path write(AttributeList l, Path file) throws DicomException, IOException {
    return writeList(l, file, TransferSyntax.ExplicitVRLittleEndian);
  }

  public static void put(AttributeList l, AttributeTag t, Object... values) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(t);
    for (Object v : values) {
      if (v instanceof Integer i) {
        a.addValue(i);
      } else {
        a.addValue(v.toString());
      }
    }
    l.put(a);
  }
}
