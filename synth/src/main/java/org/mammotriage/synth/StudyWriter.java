package org.mammotriage.synth;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes one study: its four views, the fault it was given, its rows of the CSVs and its preview.
 */
final class StudyWriter {
  private final SynthOptions o;
  private final Path root;
  private final SyntheticArchive.StudyJob job;
  private final Patient p;
  private final Exam e;
  private final Vendor vendor;
  private final int rows;
  private final int cols;
  private final double spacing;
  private final String seriesUid;
  private final SplittableRandom r;
  private final Path dir;
  private final List<String> manifest = new ArrayList<>();
  private final List<String> faults = new ArrayList<>();
  private final Map<String, float[]> preview = new LinkedHashMap<>();
  private int images;
  private long bytes;

  StudyWriter(SynthOptions o, Path root, SyntheticArchive.StudyJob job) {
    this.o = o;
    this.root = root;
    this.job = job;
    this.p = job.patient();
    this.e = job.exam();
    this.vendor = p.manufacturerKey().equals("A") ? Vendor.A : Vendor.B;
    this.rows = vendor.rows(o.scale());
    this.cols = vendor.columns(o.scale());
    this.spacing = vendor.spacing(o.scale());
    this.r = CohortModel.streamFor(o.seed(), job.patientIndex(), 500 + e.index());
    this.seriesUid = CohortModel.uid(r);
    this.dir = root.resolve(e.accession());
  }

  SyntheticArchive.StudyOutput write() throws IOException, DicomException {
    Files.createDirectories(dir);
    Fault fault = job.fault();
    LocalDateTime t = SyntheticArchive.acquisitionStart(e, r);
    Map<String, String[]> slotted = new LinkedHashMap<>(); // slot -> {file, sop}
    for (int i = 0; i < 4; i++) {
      String slot = SyntheticArchive.SLOTS[i];
      if (fault == Fault.MISSING_VIEW && slot.equals("R_CC")) {
        faults.add(
            SyntheticArchive.csv(
                rel(dir.resolve("R_CC.dcm")),
                fault,
                fault.action(),
                fault.reason(),
                "R-CC was never acquired; the exam is partial"));
        continue;
      }
      String sop = CohortModel.uid(r);
      Path file = dir.resolve(slot + ".dcm");
      writeView(
          slot,
          slot.substring(2),
          List.of(),
          sop,
          i + 1,
          t.plusMinutes(2L * i),
          file,
          false,
          false,
          0,
          true);
      slotted.put(slot, new String[] {rel(file), sop});
    }
    if (fault != null && fault != Fault.MISSING_VIEW) {
      injectFault(fault, t, slotted);
    }
    for (Map.Entry<String, String[]> s : slotted.entrySet()) {
      char lat = s.getKey().charAt(0);
      Breast b = e.breast(lat);
      String row =
          SyntheticArchive.csv(
              p.patientId(),
              e.studyUid(),
              s.getValue()[1],
              lat,
              s.getKey().substring(2),
              s.getValue()[0],
              e.ageYears(),
              p.density(),
              b.birads(),
              flag(b.mass()),
              flag(b.calcification()),
              flag(b.malignant()),
              b.yearsToCancer(),
              b.yearsToLastFollowup(),
              e.split(),
              vendor.manufacturer,
              e.date());
      if (o.v2()) {
        BreastV2.ReaderReport rep = b.v2().report();
        row +=
            ","
                + SyntheticArchive.csv(
                    rep.mass(), rep.calcification(), rep.birads(), rep.density());
      }
      manifest.add(row);
    }
    if (o.preview()) {
      Preview.write(
          root.resolve("preview").resolve(e.accession() + ".png"), preview, cols, rows, p, e);
    }
    return new SyntheticArchive.StudyOutput(manifest, truthRows(), faults, images, bytes);
  }

  private void injectFault(Fault fault, LocalDateTime t, Map<String, String[]> slotted)
      throws IOException, DicomException {
    switch (fault) {
      case DUPLICATE_INSTANCE -> {
        Path dup = dir.resolve("L_CC_duplicate.dcm");
        Files.copy(dir.resolve("L_CC.dcm"), dup, StandardCopyOption.REPLACE_EXISTING);
        images++;
        bytes += Files.size(dup);
        faultRow(dup, fault, "same SOP Instance UID as L_CC.dcm, sent twice");
      }
      case RETAKE -> {
        String sop = CohortModel.uid(r);
        Path f = dir.resolve("L_MLO_retake.dcm");
        writeView("L_MLO", "MLO", List.of(), sop, 11, t.plusMinutes(20), f, false, false, 1, true);
        slotted.put("L_MLO", new String[] {rel(f), sop});
        faultRow(f, fault, "later acquisition of L-MLO; replaces L_MLO.dcm in the exam");
      }
      case EXTRA_VIEW_XCCL ->
          extra(fault, "L_XCCL", "XCCL", List.of(), t, "exaggerated CC: kept, not slotted");
      case EXTRA_VIEW_SPOT ->
          extra(
              fault,
              "R_CC_SPOT",
              "CC",
              List.<String[]>of(ViewModifiers.SPOT_COMPRESSION),
              t,
              "spot compression view: kept, not slotted");
      case EXTRA_VIEW_MAGNIFICATION ->
          extra(
              fault,
              "R_CC_MAG",
              "CC",
              List.<String[]>of(ViewModifiers.MAGNIFICATION),
              t,
              "magnification view: kept, not slotted");
      case EXTRA_VIEW_IMPLANT_DISPLACED ->
          extra(
              fault,
              "L_CC_ID",
              "CC",
              List.<String[]>of(ViewModifiers.IMPLANT_DISPLACED),
              t,
              "implant displaced view: kept, not slotted");
      case FOR_PROCESSING -> {
        Path f = dir.resolve("L_CC_FOR_PROCESSING.dcm");
        writeView("L_CC", "CC", List.of(), CohortModel.uid(r), 21, t, f, true, false, 2, false);
        faultRow(f, fault, "raw For Processing image");
      }
      case NO_LATERALITY -> {
        Path f = dir.resolve("NOLAT_CC.dcm");
        writeView("L_CC", "CC", List.of(), CohortModel.uid(r), 22, t, f, false, true, 3, false);
        faultRow(f, fault, "ImageLaterality and Laterality both absent");
      }
      case NOT_MG -> {
        Path f = dir.resolve("SC_OT.dcm");
        writeSecondaryCapture(f);
        faultRow(f, fault, "Secondary Capture with Modality OT");
      }
      case JPEG_LOSSLESS -> {
        Path f = dir.resolve("R_MLO.dcm");
        compressJpegLossless(f);
        faultRow(f, fault, "JPEG lossless SV1 (1.2.840.10008.1.2.4.70); a valid image to accept");
      }
      case JPEG_2000 -> {
        Path f = dir.resolve("R_MLO.dcm");
        recompressJpeg2000(f);
        faultRow(f, fault, "JPEG 2000 lossless (1.2.840.10008.1.2.4.90); a valid image to accept");
      }
      case TRUNCATED -> {
        Path f = dir.resolve("L_CC_TRUNCATED.dcm");
        writeView("L_CC", "CC", List.of(), CohortModel.uid(r), 23, t, f, false, false, 4, false);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, (int) (all.length * 0.6)));
        bytes -= all.length - (long) (all.length * 0.6);
        faultRow(f, fault, "file cut at 60% of its length");
      }
      case ABSURD_DIMENSIONS -> {
        Path f = dir.resolve("L_CC_HUGE.dcm");
        writeAbsurd(f);
        faultRow(f, fault, "Rows and Columns 60000 (header only)");
      }
      case MISSING_VIEW -> throw new IllegalStateException("handled while writing the views");
    }
  }

  private void extra(
      Fault fault, String name, String view, List<String[]> mods, LocalDateTime t, String note)
      throws IOException, DicomException {
    Path f = dir.resolve(name + ".dcm");
    writeView(
        name.substring(0, 1) + "_" + (view.equals("XCCL") ? "CC" : view),
        view,
        mods,
        CohortModel.uid(r),
        30,
        t.plusMinutes(15),
        f,
        false,
        false,
        5,
        false);
    faultRow(f, fault, note);
  }

  private void faultRow(Path f, Fault fault, String note) {
    faults.add(SyntheticArchive.csv(rel(f), fault, fault.action(), fault.reason(), note));
  }

  /**
   * Renders and writes one view; {@code renderSlot} is L_CC etc. (which breast and projection to
   * draw).
   */
  private void writeView(
      String renderSlot,
      String viewPosition,
      List<String[]> mods,
      String sop,
      int instance,
      LocalDateTime acquired,
      Path file,
      boolean forProcessing,
      boolean omitLaterality,
      int variant,
      boolean keepPreview)
      throws IOException, DicomException {
    char lat = renderSlot.charAt(0);
    boolean mlo = renderSlot.endsWith("MLO");
    float[] img = render(lat, mlo, variant);
    if (keepPreview && o.preview()) {
      preview.put(renderSlot, img);
    }
    short[] px = toStored(img, lat);
    MgDicomWriter.Spec spec =
        new MgDicomWriter.Spec(
            p,
            e,
            lat,
            viewPosition,
            mods,
            sop,
            seriesUid,
            instance,
            acquired,
            vendor,
            rows,
            cols,
            spacing,
            forProcessing,
            omitLaterality);
    AttributeList l = MgDicomWriter.build(spec, px);
    SyntheticArchive.writeDicom(l, file);
    images++;
    bytes += Files.size(file);
  }

  float[] render(char lat, boolean mlo, int variant) {
    Breast b = e.breast(lat);
    PhantomRenderer.Geometry g = PhantomRenderer.geometry(b, mlo, rows, cols, spacing);
    float[] img = new float[rows * cols];
    long seed =
        CohortModel.streamFor(
                o.seed(),
                job.patientIndex() * 64L + e.index() * 8L + (lat == 'L' ? 0 : 2) + (mlo ? 1 : 0),
                7000 + variant)
            .nextLong();
    PhantomRenderer.render(img, g, b, mlo, p.density(), p.latentRisk(), seed);
    return img;
  }

  /**
   * Display values to stored pixels; right breasts are mirrored (chest wall on the right, as
   * acquired).
   */
  private short[] toStored(float[] img, char lat) {
    int max = vendor.maxValue();
    short[] out = new short[img.length];
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        float v = img[y * cols + (lat == 'L' ? x : cols - 1 - x)];
        int s = Math.round(Math.min(1f, Math.max(0f, v / 1.2f)) * max);
        out[y * cols + x] = (short) (vendor.monochrome1 ? max - s : s);
      }
    }
    return out;
  }

  private void compressJpegLossless(Path f) throws IOException {
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    Files.move(f, tmp, StandardCopyOption.REPLACE_EXISTING);
    long before = Files.size(tmp);
    run("dcmcjpeg", "--encode-lossless-sv1", "--uid-never", tmp.toString(), f.toString());
    Files.delete(tmp);
    bytes += Files.size(f) - before;
  }

  private void recompressJpeg2000(Path f) throws IOException, DicomException {
    AttributeList l = new AttributeList();
    l.read(f.toFile());
    long before = Files.size(f);
    short[] px = l.get(TagFromName.PixelData).getShortValues();
    BufferedImage bi = new BufferedImage(cols, rows, BufferedImage.TYPE_USHORT_GRAY);
    WritableRaster raster = bi.getRaster();
    int[] row = new int[cols];
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        row[x] = px[y * cols + x] & 0xffff;
      }
      raster.setPixels(0, y, cols, 1, row);
    }
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg2000").next();
    var param = (com.github.jaiimageio.jpeg2000.J2KImageWriteParam) w.getDefaultWriteParam();
    param.setLossless(true);
    param.setWriteCodeStreamOnly(true);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(buf)) {
      w.setOutput(ios);
      w.write(null, new javax.imageio.IIOImage(bi, null, null), param);
    } finally {
      w.dispose();
    }
    byte[] cs = buf.toByteArray();
    if (cs.length % 2 == 1) {
      cs = java.util.Arrays.copyOf(cs, cs.length + 1); // fragments have even length
    }
    l.remove(TagFromName.PixelData);
    l.put(new OtherByteAttributeMultipleCompressedFrames(TagFromName.PixelData, new byte[][] {cs}));
    l.remove(TagFromName.TransferSyntaxUID);
    l.removeGroupLengthAttributes();
    l.removeMetaInformationHeaderAttributes();
    com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(
        l, TransferSyntax.JPEG2000Lossless, MgDicomWriter.SOURCE_AE);
    l.write(f.toFile(), TransferSyntax.JPEG2000Lossless, true, true);
    bytes += Files.size(f) - before;
  }

  private void writeSecondaryCapture(Path f) throws DicomException {
    AttributeList l = new AttributeList();
    MgDicomWriter.put(l, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
    MgDicomWriter.put(l, TagFromName.SOPInstanceUID, CohortModel.uid(r));
    MgDicomWriter.put(l, TagFromName.StudyInstanceUID, e.studyUid());
    MgDicomWriter.put(l, TagFromName.SeriesInstanceUID, CohortModel.uid(r));
    MgDicomWriter.put(l, TagFromName.Modality, "OT");
    MgDicomWriter.put(l, TagFromName.ConversionType, "WSD");
    MgDicomWriter.put(l, TagFromName.PatientName, p.name());
    MgDicomWriter.put(l, TagFromName.PatientID, p.patientId());
    MgDicomWriter.put(l, TagFromName.AccessionNumber, e.accession());
    MgDicomWriter.put(l, TagFromName.SeriesNumber, "99");
    MgDicomWriter.put(l, TagFromName.InstanceNumber, "1");
    MgDicomWriter.put(l, TagFromName.SamplesPerPixel, 1);
    MgDicomWriter.put(l, TagFromName.PhotometricInterpretation, "MONOCHROME2");
    MgDicomWriter.put(l, TagFromName.Rows, 64);
    MgDicomWriter.put(l, TagFromName.Columns, 64);
    MgDicomWriter.put(l, TagFromName.BitsAllocated, 8);
    MgDicomWriter.put(l, TagFromName.BitsStored, 8);
    MgDicomWriter.put(l, TagFromName.HighBit, 7);
    MgDicomWriter.put(l, TagFromName.PixelRepresentation, 0);
    OtherByteAttribute px = new OtherByteAttribute(TagFromName.PixelData);
    px.setValues(new byte[64 * 64]);
    l.put(px);
    SyntheticArchive.writeDicom(l, f);
    images++;
    bytes += size(f);
  }

  private void writeAbsurd(Path f) throws DicomException {
    MgDicomWriter.Spec spec =
        new MgDicomWriter.Spec(
            p,
            e,
            'L',
            "CC",
            List.of(),
            CohortModel.uid(r),
            seriesUid,
            24,
            LocalDateTime.of(e.date(), java.time.LocalTime.NOON),
            vendor,
            60000,
            60000,
            spacing,
            false,
            false);
    AttributeList l = MgDicomWriter.build(spec, new short[16]);
    SyntheticArchive.writeDicom(l, f);
    images++;
    bytes += size(f);
  }

  private List<String> truthRows() {
    List<String> out = new ArrayList<>();
    for (char lat : new char[] {'L', 'R'}) {
      Breast b = e.breast(lat);
      PhantomRenderer.Geometry cc = PhantomRenderer.geometry(b, false, rows, cols, spacing);
      PhantomRenderer.Geometry mlo = PhantomRenderer.geometry(b, true, rows, cols, spacing);
      Lesion main =
          b.lesions().stream()
              .filter(l -> l.type().malignant())
              .findFirst()
              .orElse(b.lesions().isEmpty() ? null : b.lesions().get(0));
      String type = main == null ? "" : main.type().name();
      Object dist = main == null ? null : main.depthMm();
      Object[] pos = {null, null, null, null};
      if (main != null) {
        double[] c = cc.locate(main, false);
        double[] m = mlo.locate(main, true);
        // pixel positions as stored (right breasts mirrored)
        pos =
            new Object[] {
              Math.round(lat == 'L' ? c[0] : cols - 1 - c[0]),
              Math.round(c[1]),
              Math.round(lat == 'L' ? m[0] : cols - 1 - m[0]),
              Math.round(m[1])
            };
      }
      out.add(
          SyntheticArchive.csv(
              p.patientId(),
              e.studyUid(),
              e.accession(),
              e.date(),
              lat,
              e.ageYears(),
              p.density(),
              b.birads(),
              flag(b.mass()),
              flag(b.calcification()),
              flag(b.malignant()),
              b.yearsToCancer(),
              b.yearsToLastFollowup(),
              e.split(),
              type,
              dist,
              pos[0],
              pos[1],
              pos[2],
              pos[3]));
    }
    return out;
  }

  private String rel(Path f) {
    return root.relativize(f).toString();
  }

  private static int flag(boolean b) {
    return b ? 1 : 0;
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static void run(String... cmd) throws IOException {
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(proc.getInputStream().readAllBytes());
    try {
      if (proc.waitFor() != 0) {
        throw new IOException(
            String.join(" ", cmd)
                + " failed: "
                + output
                + " (dcmtk is needed for JPEG-lossless faults: apt-get install dcmtk, or ./run bootstrap)");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", ex);
    }
  }
}
