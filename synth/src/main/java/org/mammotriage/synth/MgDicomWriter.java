package org.mammotriage.synth;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes a Digital Mammography X-Ray Image – For Presentation object with every attribute dciodvfy
 * expects of the MG IOD: patient/study/series/equipment, DX anatomy/image/detector/positioning,
 * mammography image (view and view modifier code sequences, anatomic region, organ exposed), VOI
 * LUT (window or VOI LUT sequence), SOP common.
 */
final class MgDicomWriter {
  static final String MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2";
  static final String MG_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.2.1";
  static final String SOURCE_AE = "MT_SYNTH";
  private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss");

  private MgDicomWriter() {}

  /**
   * What to write: the image and its identity. {@code viewPosition} is CC, MLO, XCCL, ...;
   * modifiers are SNOMED codes.
   */
  record Spec(
      Patient patient,
      Exam exam,
      char laterality,
      String viewPosition,
      List<String[]> viewModifiers,
      String sopUid,
      String seriesUid,
      int instanceNumber,
      LocalDateTime acquired,
      Vendor vendor,
      int rows,
      int cols,
      double spacing,
      boolean forProcessing,
      boolean omitLaterality) {}

  static AttributeList build(Spec s, short[] pixels) throws DicomException {
    AttributeList l = new AttributeList();
    boolean mlo = s.viewPosition().endsWith("MLO");
    String sopClass = s.forProcessing() ? MG_FOR_PROCESSING : MG_FOR_PRESENTATION;
    put(l, TagFromName.SpecificCharacterSet, "ISO_IR 100");
    put(l, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "");
    put(l, TagFromName.SOPClassUID, sopClass);
    put(l, TagFromName.SOPInstanceUID, s.sopUid());
    put(l, TagFromName.StudyDate, DA.format(s.exam().date()));
    put(l, TagFromName.SeriesDate, DA.format(s.exam().date()));
    put(l, TagFromName.ContentDate, DA.format(s.acquired()));
    put(
        l,
        TagFromName.AcquisitionDateTime,
        s.acquired().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")));
    put(l, TagFromName.StudyTime, TM.format(s.acquired().withMinute(0).withSecond(0)));
    put(l, TagFromName.SeriesTime, TM.format(s.acquired().withMinute(0).withSecond(0)));
    put(l, TagFromName.ContentTime, TM.format(s.acquired()));
    put(l, TagFromName.AccessionNumber, s.exam().accession());
    put(l, TagFromName.Modality, "MG");
    put(
        l,
        TagFromName.PresentationIntentType,
        s.forProcessing() ? "FOR PROCESSING" : "FOR PRESENTATION");
    put(l, TagFromName.Manufacturer, s.vendor().manufacturer);
    put(l, TagFromName.InstitutionName, "Synthetic Screening Centre");
    put(l, TagFromName.ReferringPhysicianName, "");
    put(l, TagFromName.StudyDescription, "Screening mammography (synthetic)");
    put(
        l,
        TagFromName.SeriesDescription,
        (s.omitLaterality() ? "" : s.laterality() + " ") + s.viewPosition());
    put(l, TagFromName.ManufacturerModelName, s.vendor().model);
    put(l, TagFromName.DeviceSerialNumber, "SYN-0001");
    put(l, TagFromName.SoftwareVersions, "mammotriage-synth-1");
    put(l, TagFromName.PatientName, s.patient().name());
    put(l, TagFromName.PatientID, s.patient().patientId());
    put(l, TagFromName.PatientBirthDate, DA.format(s.patient().birthDate()));
    put(l, TagFromName.PatientSex, "F");
    put(l, TagFromName.PatientAge, String.format(Locale.ROOT, "%03dY", s.exam().ageYears()));
    put(l, TagFromName.BodyPartExamined, "BREAST");
    put(l, Tags.KVP, "29");
    put(l, TagFromName.DistanceSourceToDetector, "660");
    put(l, TagFromName.DistanceSourceToPatient, "620");
    put(l, Tags.ExposureTime, "900");
    put(l, Tags.XRayTubeCurrent, "100");
    put(l, Tags.Exposure, "90");
    put(l, Tags.AnodeTargetMaterial, "TUNGSTEN");
    put(l, Tags.FilterMaterial, "RHODIUM");
    put(
        l,
        TagFromName.BodyPartThickness,
        String.format(Locale.ROOT, "%.0f", 40 + s.exam().left().depthMm() / 4));
    put(l, Tags.CompressionForce, "90");
    put(l, Tags.PositionerType, "MAMMOGRAPHIC");
    put(l, Tags.PositionerPrimaryAngle, mlo ? (s.laterality() == 'L' ? "45" : "-45") : "0");
    put(l, Tags.DetectorType, "DIRECT");
    put(l, TagFromName.ImagerPixelSpacing, ds(s.spacing()), ds(s.spacing()));
    put(l, TagFromName.PixelSpacing, ds(s.spacing()), ds(s.spacing()));
    put(l, TagFromName.EstimatedRadiographicMagnificationFactor, ds(660.0 / 620.0));
    put(l, TagFromName.ViewPosition, s.viewPosition());
    put(l, TagFromName.StudyInstanceUID, s.exam().studyUid());
    put(l, TagFromName.SeriesInstanceUID, s.seriesUid());
    put(l, TagFromName.StudyID, String.valueOf(s.exam().index() + 1));
    put(l, TagFromName.SeriesNumber, "1");
    put(l, TagFromName.InstanceNumber, String.valueOf(s.instanceNumber()));
    put(l, TagFromName.PatientOrientation, orientation(s.laterality(), mlo));
    if (!s.omitLaterality()) {
      put(l, TagFromName.ImageLaterality, String.valueOf(s.laterality()));
    }
    put(l, TagFromName.SamplesPerPixel, 1);
    put(
        l,
        TagFromName.PhotometricInterpretation,
        s.vendor().monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
    put(l, TagFromName.Rows, s.rows());
    put(l, TagFromName.Columns, s.cols());
    put(l, TagFromName.BitsAllocated, 16);
    put(l, TagFromName.BitsStored, s.vendor().bitsStored);
    put(l, TagFromName.HighBit, s.vendor().bitsStored - 1);
    put(l, TagFromName.PixelRepresentation, 0);
    put(l, Tags.PixelIntensityRelationship, "LOG");
    put(l, Tags.PixelIntensityRelationshipSign, s.vendor().monochrome1 ? "-1" : "1");
    put(l, TagFromName.RescaleIntercept, "0");
    put(l, TagFromName.RescaleSlope, "1");
    put(l, TagFromName.RescaleType, "US");
    put(l, TagFromName.PresentationLUTShape, s.vendor().monochrome1 ? "INVERSE" : "IDENTITY");
    put(l, TagFromName.LossyImageCompression, "00");
    put(l, TagFromName.BurnedInAnnotation, "NO");
    put(l, TagFromName.QualityControlImage, "NO");
    put(l, Tags.OrganExposed, "BREAST");
    put(
        l,
        Tags.BreastImplantPresent,
        hasModifier(s, ViewModifiers.IMPLANT_DISPLACED[0]) ? "YES" : "NO");
    put(l, Tags.PartialView, "NO");
    if (s.vendor().monochrome1) {
      l.put(voiLut(s.vendor()));
      put(l, TagFromName.WindowCenter, String.valueOf(s.vendor().maxValue() / 2));
      put(l, TagFromName.WindowWidth, String.valueOf(s.vendor().maxValue() * 2 / 3));
    } else {
      int max = s.vendor().maxValue();
      put(l, TagFromName.WindowCenter, String.valueOf(max / 2));
      put(l, TagFromName.WindowWidth, String.valueOf(max * 2 / 3));
      put(l, TagFromName.WindowCenterWidthExplanation, "SYNTHETIC DEFAULT");
    }
    put(l, TagFromName.VOILUTFunction, "LINEAR");

    l.put(new SequenceAttribute(TagFromName.AcquisitionContextSequence)); // Type 2: present, empty
    SequenceAttribute region = new SequenceAttribute(TagFromName.AnatomicRegionSequence);
    region.addItem(new CodedSequenceItem("76752008", "SCT", "Breast").getAttributeList());
    l.put(region);
    SequenceAttribute view = new SequenceAttribute(TagFromName.ViewCodeSequence);
    AttributeList viewItem = viewCode(s.viewPosition()).getAttributeList();
    SequenceAttribute mods = new SequenceAttribute(TagFromName.ViewModifierCodeSequence);
    for (String[] m : s.viewModifiers()) {
      mods.addItem(new CodedSequenceItem(m[0], m[1], m[2]).getAttributeList());
    }
    viewItem.put(mods);
    view.addItem(viewItem);
    l.put(view);

    OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
    px.setValues(pixels);
    l.put(px);
    return l;
  }

  static void write(AttributeList l, Path file) throws IOException, DicomException {
    FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, SOURCE_AE);
    Files.createDirectories(file.getParent());
    l.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
  }

  /** SNOMED CT view codes (DICOM CID 4014). */
  static CodedSequenceItem viewCode(String viewPosition) throws DicomException {
    return switch (viewPosition) {
      case "CC" -> new CodedSequenceItem("399162004", "SCT", "cranio-caudal");
      case "MLO" -> new CodedSequenceItem("399368009", "SCT", "medio-lateral oblique");
      case "XCCL" ->
          new CodedSequenceItem("399196006", "SCT", "cranio-caudal exaggerated laterally");
      case "ML" -> new CodedSequenceItem("399260004", "SCT", "medio-lateral");
      default -> throw new IllegalArgumentException("no view code for " + viewPosition);
    };
  }

  private static boolean hasModifier(Spec s, String code) {
    return s.viewModifiers().stream().anyMatch(m -> m[0].equals(code));
  }

  private static String orientation(char lat, boolean mlo) {
    // rows run towards the nipple (anterior) on left breasts and towards the chest wall on right
    // breasts
    return (lat == 'L' ? "A" : "P") + "\\" + (mlo ? "F" : (lat == 'L' ? "R" : "L"));
  }

  private static SequenceAttribute voiLut(Vendor v) throws DicomException {
    int n = v.maxValue() + 1;
    short[] lut = new short[n];
    for (int i = 0; i < n; i++) {
      double t = (double) i / (n - 1);
      double s = 1 / (1 + Math.exp(-(t - 0.5) * 7));
      lut[i] = (short) Math.round(s * 4095);
    }
    AttributeList item = new AttributeList();
    Attribute desc = AttributeFactory.newAttribute(TagFromName.LUTDescriptor);
    desc.addValue(n == 65536 ? 0 : n);
    desc.addValue(0);
    desc.addValue(12);
    item.put(desc);
    put(item, TagFromName.LUTExplanation, "SYNTHETIC SIGMOID");
    OtherWordAttribute data = new OtherWordAttribute(TagFromName.LUTData);
    data.setValues(lut);
    item.put(data);
    SequenceAttribute seq = new SequenceAttribute(TagFromName.VOILUTSequence);
    seq.addItem(item);
    return seq;
  }

  private static String ds(double v) {
    String s = String.format(Locale.ROOT, "%.6f", v);
    return s.length() > 16 ? s.substring(0, 16) : s;
  }

  static void put(AttributeList l, AttributeTag tag, String... values) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(tag);
    for (String v : values) {
      a.addValue(v);
    }
    l.put(a);
  }

  static void put(AttributeList l, AttributeTag tag, int value) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(tag);
    a.addValue(value);
    l.put(a);
  }
}
