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
  public static final Set<String> TRANSFER_SYNTAXES =
      Set.of(
          "1.2.840.10008.1.2",
          "1.2.840.10008.1.2.1",
          "1.2.840.10008.1.2.2",
          "1.2.840.10008.1.2.4.70",
          "1.2.840.10008.1.2.4.57",
          "1.2.840.10008.1.2.4.90",
          "1.2.840.10008.1.2.4.91");

  private final boolean acceptSecondaryCapture;
  private final Limits limits;

  public InstanceClassifier(boolean acceptSecondaryCapture, Limits limits) {
    this.acceptSecondaryCapture = acceptSecondaryCapture;
    this.limits = limits;
  }

  public Classification classify(AttributeList h, String transferSyntax) throws RejectedException {
    String sopClass = str(h, TagFromName.SOPClassUID);
    String modality = str(h, TagFromName.Modality);
    String intent = str(h, Tags.PresentationIntentType).toUpperCase(Locale.ROOT);
    if (str(h, TagFromName.SOPInstanceUID).isEmpty()
        || str(h, TagFromName.StudyInstanceUID).isEmpty()) {
      throw new RejectedException(
          Reason.MISSING_UID, "SOP Instance UID or Study Instance UID is missing");
    }
    if (sopClass.equals(MG_FOR_PROCESSING) || intent.equals("FOR PROCESSING")) {
      throw new RejectedException(
          Reason.FOR_PROCESSING, "For Processing (raw) mammogram; send the For Presentation image");
    }
    if (!modality.equals("MG")) {
      throw new RejectedException(
          Reason.NOT_MG, "Modality " + (modality.isEmpty() ? "(empty)" : modality) + " is not MG");
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
              + " is not supported (uncompressed, JPEG lossless and JPEG 2000 are)");
    }
    String lat = laterality(h);
    if (lat == null) {
      throw new RejectedException(
          Reason.NO_LATERALITY,
          "neither ImageLaterality (0020,0062) nor Laterality (0020,0060) says L or R");
    }
    String view = view(h);
    List<String> mods = modifiers(h);
    boolean slottable = (view.equals("CC") || view.equals("MLO")) && mods.isEmpty();
    return new Classification(lat, view, mods, slottable);
  }

  /** Size and pixel-format limits, checked from the header before any pixel is read. */
  public void checkPixelFormat(AttributeList h) throws RejectedException {
    int rows = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Rows, 0);
    int cols = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Columns, 0);
    int frames = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.NumberOfFrames, 1);
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
    int bits = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.BitsAllocated, 0);
    int spp = Attribute.getSingleIntegerValueOrDefault(h, TagFromName.SamplesPerPixel, 1);
    if (rows < 16 || cols < 16 || (bits != 8 && bits != 16) || spp != 1) {
      throw new RejectedException(
          Reason.UNSUPPORTED_PIXEL_FORMAT,
          "needs single-sample 8- or 16-bit pixels of at"
              + " least 16x16; found "
              + rows
              + "x"
              + cols
              + ", BitsAllocated "
              + bits
              + ", SamplesPerPixel "
              + spp);
    }
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
    return "UNKNOWN";
  }

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
