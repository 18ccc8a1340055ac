package org.mammotriage.ingest.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides from the header alone whether an instance is a mammogram meant for presentation that
 * ingest can use, and what it shows (DESIGN §3). Laterality: ImageLaterality, else Laterality.
 * View: ViewPosition, else the View Code Sequence (SNOMED CT). Modifiers: the View Modifier Code
 * Sequence.
 */
public final class InstanceClassifier {
  public static final String MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2";
  public static final String MG_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.2.1";
  public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

  /**
   * The transfer syntaxes ingest decodes, in the SCP's order of preference (lossless before lossy,
   * compact before large): the SCP negotiates exactly these ({@code scp.StorePolicy}), so a syntax
   * negotiated is one decoded. JPEG-LS and JPEG extended are not here (no maintained Java decoder
   * on Maven Central; PixelMed's imageio jar decodes JPEG lossless only): the sender converts.
   * TransferSyntaxConformanceIT sends every one with dcmtk.
   */
  public static final List<String> TRANSFER_SYNTAXES =
      List.of(
          "1.2.840.10008.1.2.4.70", // JPEG lossless, first-order prediction
          "1.2.840.10008.1.2.4.57", // JPEG lossless
          "1.2.840.10008.1.2.4.90", // JPEG 2000 lossless
          "1.2.840.10008.1.2.5", // RLE lossless
          "1.2.840.10008.1.2.1.99", // deflated explicit VR little endian
          "1.2.840.10008.1.2.1", // explicit VR little endian
          "1.2.840.10008.1.2.2", // explicit VR big endian (retired, still sent)
          "1.2.840.10008.1.2", // implicit VR little endian
          "1.2.840.10008.1.2.4.91", // JPEG 2000
          "1.2.840.10008.1.2.4.50"); // JPEG baseline (8-bit)

  private final boolean acceptSecondaryCapture;
  private final Limits limits;

  public InstanceClassifier(boolean acceptSecondaryCapture, Limits limits) {
    this.acceptSecondaryCapture = acceptSecondaryCapture;
    this.limits = limits;
  }

  /**
   * Identity and type: the UIDs, presentation intent, modality, SOP class, transfer syntax and
   * laterality, in that order, so that an object that is not a mammogram for presentation (a dose
   * report, a For Processing image) is refused for what it is before anything about its pixels is
   * judged. Pixel attributes are {@link #checkPixelFormat}'s.
   */
  public Classification classify(AttributeList h, String transferSyntax) throws RejectedException {
    String sopClass = str(h, TagFromName.SOPClassUID);
    String modality = str(h, TagFromName.Modality);
    String intent = str(h, Tags.PresentationIntentType).toUpperCase(Locale.ROOT);
    checkUids(h, sopClass, transferSyntax);
    if (sopClass.equals(MG_FOR_PROCESSING) || intent.equals("FOR PROCESSING")) {
      throw new RejectedException(
          Reason.FOR_PROCESSING, "For Processing (raw) mammogram; send the For Presentation image");
    }
    boolean imageClass = sopClass.equals(MG_FOR_PRESENTATION) || sopClass.equals(SECONDARY_CAPTURE);
    if (!imageClass && Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Rows, 0) == 0) {
      throw new RejectedException(
          Reason.NOT_AN_IMAGE,
          "SOP Class "
              + sopClass
              + " (Modality "
              + Values.codeForMessage(modality)
              + ") has no image; ingest takes mammograms for presentation only");
    }
    if (!modality.equals("MG")) {
      throw new RejectedException(
          Reason.NOT_MG, "Modality " + Values.codeForMessage(modality) + " is not MG");
    }
    if (sopClass.equals(SECONDARY_CAPTURE)) {
      if (!acceptSecondaryCapture) {
        throw new RejectedException(
            Reason.SECONDARY_CAPTURE,
            "Secondary Capture with Modality MG is refused unless ingest.accept.secondary.capture=true");
      }
    } else if (!sopClass.equals(MG_FOR_PRESENTATION)) {
      throw new RejectedException(
          Reason.UNSUPPORTED_SOP_CLASS,
          "SOP Class "
              + sopClass
              + " is not Digital Mammography X-Ray Image Storage - For Presentation");
    }
    if (transferSyntax != null
        && !transferSyntax.isEmpty()
        && !TRANSFER_SYNTAXES.contains(transferSyntax)) {
      throw new RejectedException(
          Reason.UNSUPPORTED_TRANSFER_SYNTAX,
          "transfer syntax "
              + transferSyntax
              + " is not supported (uncompressed, deflated, RLE, JPEG lossless, JPEG baseline and JPEG 2000"
              + " are; convert JPEG-LS and JPEG extended before sending)");
    }
    String lat = laterality(h);
    if (lat == null) {
      throw new RejectedException(
          Reason.NO_LATERALITY,
          "neither ImageLaterality (0020,0062) nor Laterality (0020,0060) says L or R");
    }
    String view = view(h);
    List<String> mods = modifiers(h);
    if (sopClass.equals(SECONDARY_CAPTURE)) {
      mods.addAll(secondaryCaptureKind(h));
    }
    boolean slottable = (view.equals("CC") || view.equals("MLO")) && mods.isEmpty();
    return new Classification(lat, view, mods, slottable);
  }

  /**
   * The UIDs ingest keys and forwards must be UIDs: the study UID is the Kafka key, so a corrupted
   * one would start a new exam.
   */
  private static void checkUids(AttributeList h, String sopClass, String transferSyntax)
      throws RejectedException {
    String[][] required = {
      {"SOP Instance UID", str(h, TagFromName.SOPInstanceUID)},
      {"Study Instance UID", str(h, TagFromName.StudyInstanceUID)},
      {"Series Instance UID", str(h, TagFromName.SeriesInstanceUID)},
      {"SOP Class UID", sopClass}
    };
    for (String[] uid : required) {
      if (uid[1].isEmpty()) {
        throw new RejectedException(Reason.MISSING_UID, uid[0] + " is missing");
      }
    }
    for (String[] uid : required) {
      if (!Values.isUid(uid[1])) {
        throw new RejectedException(
            Reason.INVALID_UID, uid[0] + " is not a UID: " + Values.uidForMessage(uid[1]));
      }
    }
    if (transferSyntax != null && !transferSyntax.isEmpty() && !Values.isUid(transferSyntax)) {
      throw new RejectedException(
          Reason.INVALID_UID,
          "Transfer Syntax UID is not a UID: " + Values.uidForMessage(transferSyntax));
    }
  }

  /**
   * Secondary Captures with Modality MG are mostly digitised film and its derivatives (CBIS-DDSM):
   * lesion crops and ROI masks are named as such, so they are kept as extras, never slotted.
   */
  static List<String> secondaryCaptureKind(AttributeList h) {
    String series = str(h, TagFromName.SeriesDescription).toLowerCase(Locale.ROOT);
    String derivation = str(h, TagFromName.DerivationDescription).toLowerCase(Locale.ROOT);
    String text = series + " " + derivation;
    if (text.contains("roi") || text.contains("mask")) {
      return List.of("ROI_MASK");
    }
    if (text.contains("crop")) {
      return List.of("LESION_CROP");
    }
    return List.of();
  }

  private static final Set<String> PHOTOMETRIC =
      Set.of(
          "MONOCHROME1",
          "MONOCHROME2",
          "PALETTE COLOR",
          "RGB",
          "HSV",
          "ARGB",
          "CMYK",
          "YBR_FULL",
          "YBR_FULL_422",
          "YBR_PARTIAL_422",
          "YBR_PARTIAL_420",
          "YBR_ICT",
          "YBR_RCT");

  /**
   * The pixel module, from the header before any pixel is read: size limits (TOO_LARGE), attributes
   * that contradict each other or the standard (INVALID_PIXEL_MODULE), and what ingest cannot use
   * although it is valid: colour, more than 16 bits, images under 16x16 (UNSUPPORTED_PIXEL_FORMAT).
   */
  public void checkPixelFormat(AttributeList h) throws RejectedException {
    int rows = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Rows, 0);
    int cols = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Columns, 0);
    int frames = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.NumberOfFrames, 1);
    if (h.get(TagFromName.NumberOfFrames) != null && frames < 1) {
      throw invalid("NumberOfFrames is " + frames);
    }
    if (rows > limits.maxRows() || cols > limits.maxColumns() || frames > limits.maxFrames()) {
      throw new RejectedException(
          Reason.TOO_LARGE,
          rows
              + "x"
              + cols
              + "x"
              + frames
              + " exceeds the limits "
              + limits.maxRows()
              + "x"
              + limits.maxColumns()
              + "x"
              + limits.maxFrames()
              + " (ingest.limit.rows/columns/frames)");
    }
    int spp = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.SamplesPerPixel, 1);
    String photometric = str(h, TagFromName.PhotometricInterpretation).toUpperCase(Locale.ROOT);
    if (!PHOTOMETRIC.contains(photometric)) {
      throw invalid(
          "PhotometricInterpretation "
              + (photometric.isEmpty() ? "is missing" : Values.codeForMessage(photometric))
              + ", not a defined term");
    }
    int samplesNeeded =
        photometric.startsWith("MONOCHROME") || photometric.equals("PALETTE COLOR")
            ? 1
            : photometric.equals("ARGB") || photometric.equals("CMYK") ? 4 : 3;
    if (spp != samplesNeeded) {
      throw invalid(
          photometric + " with SamplesPerPixel " + spp + " (needs " + samplesNeeded + ")");
    }
    if (photometric.equals("PALETTE COLOR")
        && h.get(TagFromName.RedPaletteColorLookupTableDescriptor) == null) {
      throw invalid("PALETTE COLOR without a palette colour lookup table");
    }
    int allocated = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.BitsAllocated, 0);
    int stored = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.BitsStored, allocated);
    int highBit = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.HighBit, stored - 1);
    int representation =
        Attribute.getSingleIntegerValueOrDefault(h, TagFromName.PixelRepresentation, 0);
    if (allocated < 1 || allocated > 64 || allocated != 1 && allocated % 8 != 0) {
      throw invalid("BitsAllocated is " + allocated);
    }
    if (stored < 1 || stored > allocated) {
      throw invalid("BitsStored " + stored + " with BitsAllocated " + allocated);
    }
    if (highBit != stored - 1) {
      throw invalid("HighBit " + highBit + " with BitsStored " + stored + " (must be one less)");
    }
    if (representation != 0 && representation != 1) {
      throw invalid("PixelRepresentation is " + representation);
    }
    for (var tag : List.of(TagFromName.PixelSpacing, TagFromName.ImagerPixelSpacing)) {
      checkSpacing(h, tag);
    }
    if (rows < 16
        || cols < 16
        || (allocated != 8 && allocated != 16)
        || !photometric.startsWith("MONOCHROME")) {
      throw new RejectedException(
          Reason.UNSUPPORTED_PIXEL_FORMAT,
          "needs MONOCHROME1/2 8- or 16-bit pixels of at least 16x16; found "
              + rows
              + "x"
              + cols
              + ", "
              + photometric
              + ", BitsAllocated "
              + allocated);
    }
  }

  private static void checkSpacing(AttributeList h, com.pixelmed.dicom.AttributeTag tag)
      throws RejectedException {
    Attribute a = h.get(tag);
    if (a == null || a.getVM() == 0) {
      return;
    }
    double[] d;
    try {
      d = a.getDoubleValues();
    } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
      throw invalid(tag + " is not numeric");
    }
    if (d == null || d.length != 2 || !(d[0] > 0 && d[0] < 1000) || !(d[1] > 0 && d[1] < 1000)) {
      throw invalid(tag + " must be two positive values in mm");
    }
  }

  /**
   * After the whole object was read (and decompressed): Pixel Data is there and as long as the
   * pixel module says, give or take the padding byte.
   */
  public void checkPixelData(AttributeList l) throws RejectedException {
    Attribute px = l.get(TagFromName.PixelData);
    if (px == null) {
      throw new RejectedException(Reason.CORRUPT, "no Pixel Data (file truncated?)");
    }
    checkPixelDataLength(l, pixelBytes(px));
  }

  /**
   * As {@link #checkPixelData}, for pixel data not read into {@code l}: {@code actual} is the
   * length of its value in bytes.
   */
  public void checkPixelDataLength(AttributeList l, long actual) throws RejectedException {
    long expected =
        (long) Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Rows, 0)
            * Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Columns, 0)
            * Math.max(
                1, Attribute.getSingleIntegerValueOrDefault(l, TagFromName.NumberOfFrames, 1))
            * Attribute.getSingleIntegerValueOrDefault(l, TagFromName.SamplesPerPixel, 1)
            * (Attribute.getSingleIntegerValueOrDefault(l, TagFromName.BitsAllocated, 16) / 8);
    if (actual < expected) {
      throw new RejectedException(
          Reason.CORRUPT,
          "pixel data is " + actual + " bytes, expected " + expected + " (file truncated?)");
    }
    if (actual > expected + 1) {
      throw invalid("pixel data is " + actual + " bytes, the pixel module says " + expected);
    }
  }

  private static long pixelBytes(Attribute px) throws RejectedException {
    try {
      if (px instanceof com.pixelmed.dicom.OtherWordAttribute) {
        short[] s = px.getShortValues();
        return s == null ? 0 : 2L * s.length;
      }
      byte[] b = px.getByteValues();
      return b == null ? 0 : b.length;
    } catch (com.pixelmed.dicom.DicomException | RuntimeException e) {
      throw new RejectedException(
          Reason.CORRUPT, "pixel data cannot be read: " + e.getMessage(), e);
    }
  }

  private static RejectedException invalid(String what) {
    return new RejectedException(Reason.INVALID_PIXEL_MODULE, what);
  }

  static String laterality(AttributeList h) {
    for (var tag : List.of(Tags.ImageLaterality, Tags.Laterality)) {
      String v = str(h, tag).toUpperCase(Locale.ROOT);
      if (v.equals("L") || v.equals("R")) {
        return v;
      }
    }
    return null;
  }

  static String view(AttributeList h) {
    String vp = str(h, TagFromName.ViewPosition).toUpperCase(Locale.ROOT);
    if (!vp.isEmpty()) {
      return vp;
    }
    for (String[] code : codes(h, TagFromName.ViewCodeSequence)) {
      switch (code[0]) {
        case "399162004", "R-10242" -> {
          return "CC";
        }
        case "399368009", "R-10226" -> {
          return "MLO";
        }
        case "399196006", "R-1024A" -> {
          return "XCCL";
        }
        case "399260004", "R-10236" -> {
          return "ML";
        }
        default -> {
          return code[2].isEmpty() ? code[0] : code[2].toUpperCase(Locale.ROOT);
        }
      }
    }
    // CBIS-DDSM and other film digitisations put the view where PatientOrientation belongs; a
    // real orientation (A, P, R, L, H, F pairs) is never one of these names
    Attribute po = h.get(TagFromName.PatientOrientation);
    if (po != null && po.getVM() == 1) {
      String v = str(h, TagFromName.PatientOrientation).toUpperCase(Locale.ROOT);
      if (VIEW_NAMES.contains(v)) {
        return v;
      }
    }
    return "UNKNOWN";
  }

  private static final Set<String> VIEW_NAMES =
      Set.of("CC", "MLO", "ML", "LM", "XCCL", "XCCM", "FB", "SIO", "LMO", "AT", "CV");

  static List<String> modifiers(AttributeList h) {
    List<String> out = new ArrayList<>();
    Attribute vcs = h.get(TagFromName.ViewCodeSequence);
    if (vcs instanceof SequenceAttribute seq && seq.getNumberOfItems() > 0) {
      AttributeList item = seq.getItem(0).getAttributeList();
      for (String[] c : codes(item, TagFromName.ViewModifierCodeSequence)) {
        String meaning = c[2].toLowerCase(Locale.ROOT);
        if (c[0].equals("399055006") || meaning.contains("spot")) {
          out.add("SPOT_COMPRESSION");
        } else if (c[0].equals("399163004") || meaning.contains("magnif")) {
          out.add("MAGNIFICATION");
        } else if (c[0].equals("399101009") || meaning.contains("implant")) {
          out.add("IMPLANT_DISPLACED");
        } else {
          out.add(c[2].isEmpty() ? c[0] : c[2].toUpperCase(Locale.ROOT).replace(' ', '_'));
        }
      }
    }
    return out;
  }

  /** {code value, scheme, meaning} of each item of a code sequence. */
  private static List<String[]> codes(AttributeList l, com.pixelmed.dicom.AttributeTag tag) {
    List<String[]> out = new ArrayList<>();
    if (l.get(tag) instanceof SequenceAttribute seq) {
      for (int i = 0; i < seq.getNumberOfItems(); i++) {
        SequenceItem it = seq.getItem(i);
        AttributeList il = it.getAttributeList();
        out.add(
            new String[] {
              str(il, TagFromName.CodeValue),
              str(il, TagFromName.CodingSchemeDesignator),
              str(il, TagFromName.CodeMeaning)
            });
      }
    }
    return out;
  }

  static String str(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
    return Attribute.getSingleStringValueOrEmptyString(l, t).trim();
  }
}
