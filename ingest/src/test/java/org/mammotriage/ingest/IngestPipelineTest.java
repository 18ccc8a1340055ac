package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.publish.DlqFields;
import org.mammotriage.ingest.testing.DicomBytes;
import org.mammotriage.ingest.testing.Pipelines;
import org.mammotriage.ingest.testing.RecordingPublisher;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.images.ImageStore;

/** The ingest pipeline on files built in the test, against a publisher that records. */
class IngestPipelineTest {
  @TempDir Path dir;
  final RecordingPublisher published = new RecordingPublisher();
  final IngestPipeline pipeline = Pipelines.of(published);

  private Path write(String name, AttributeList l) throws Exception {
    return TestImages.write(l, dir.resolve(name));
  }

  private Outcome process(Path file) {
    return pipeline.process(file, "MODALITY", "INGEST_SCP");
  }

  @Test
  void shouldStoreAValidImage() throws Exception {
    Outcome o = process(write("valid.dcm", TestImages.mammogram().build()));

    assertThat(o.status()).isEqualTo(Outcome.Status.STORED);
    assertThat(published.images)
        .singleElement()
        .satisfies(i -> assertThat(i.getView()).isEqualTo("CC"));
    assertThat(published.rejections).isEmpty();
  }

  @Test
  void shouldWriteTheWorkingImageToTheImageStoreBeforePublishingItsReference() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store").toString());
    IngestPipeline p = Pipelines.withImageStore(published, store);

    Outcome o = p.process(write("valid.dcm", TestImages.mammogram().build()), "MOD", "INGEST_SCP");

    assertThat(o.status()).isEqualTo(Outcome.Status.STORED);
    MammogramImage img = published.images.get(0);
    assertThat(img.getWorkingImagePng()).isNull();
    byte[] png = store.pngOf(img);
    // the same working image the pipeline publishes without a store
    Pipelines.of(published).process(write("again.dcm", TestImages.mammogram().build()), "MOD", "X");
    assertThat(png).isEqualTo(store.pngOf(published.images.get(1)));
    assertThat(published.images.get(1).getWorkingImagePng()).isNotNull();
  }

  @Test
  void shouldAnswerATransientFailureAndPublishNothingWhenTheImageStoreRefusesTheImage()
      throws Exception {
    Path storeDir = dir.resolve("store");
    ImageStore store = ImageStore.open(storeDir.toString());
    IngestPipeline p = Pipelines.withImageStore(published, store);
    // the volume is gone: a file where the store's first-level directories would be made
    Files.delete(storeDir);
    Files.writeString(storeDir, "not a directory");

    Outcome o = p.process(write("valid.dcm", TestImages.mammogram().build()), "MOD", "INGEST_SCP");

    assertThat(o.status()).isEqualTo(Outcome.Status.TRANSIENT_FAILURE);
    assertThat(o.reason()).isEqualTo(Reason.IMAGE_STORE_UNAVAILABLE);
    assertThat(o.text()).contains("image store").contains("the sender will retry");
    assertThat(published.images).isEmpty();
    assertThat(published.rejections).as("not the instance's fault: no DLQ record").isEmpty();

    // the volume is back: the retry is stored
    Files.delete(storeDir);
    Files.createDirectories(storeDir);
    assertThat(
            p.process(write("valid.dcm", TestImages.mammogram().build()), "MOD", "INGEST_SCP")
                .status())
        .isEqualTo(Outcome.Status.STORED);
  }

  @Test
  void shouldStoreAnImageWithZeroPaddingQuietly() throws Exception {
    // given: a valid image followed by zero bytes (the mutation fuzzer made such files; PixelMed
    // read the padding as (0000,0000) elements and printed "Illegal duplicate tag" for each)
    byte[] b = Files.readAllBytes(write("valid.dcm", TestImages.mammogram().build()));
    Path padded = dir.resolve("padded.dcm");
    Files.write(padded, java.util.Arrays.copyOf(b, b.length + 64));

    // when
    Quiet q = processCapturingStandardError(padded);
    Outcome o = q.outcome();

    // then
    assertThat(o.status()).as(String.valueOf(o.text())).isEqualTo(Outcome.Status.STORED);
    assertThat(q.standardError()).doesNotContain("Illegal duplicate tag");
  }

  @Test
  void shouldRefuseAFileTruncatedInsideThePreambleAsCorruptQuietly() throws Exception {
    // given: the first 111 bytes of a valid file, all zero (the fuzzer's "truncate at 111")
    byte[] b = Files.readAllBytes(write("valid.dcm", TestImages.mammogram().build()));
    Path cut = dir.resolve("cut.dcm");
    Files.write(cut, java.util.Arrays.copyOf(b, 111));

    // when
    Quiet q = processCapturingStandardError(cut);
    Outcome o = q.outcome();

    // then
    assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
    assertThat(o.reason()).isEqualTo(Reason.CORRUPT);
    assertThat(published.rejections).hasSize(1);
    assertThat(q.standardError()).doesNotContain("Illegal duplicate tag");
  }

  @Test
  void shouldRefuseAMetaElementWhoseReservedBytesPixelMedWouldReadAsALengthAsCorrupt()
      throws Exception {
    // given: one flipped bit in the reserved bytes of (0002,0001) OB (the fuzzer's case 121 of
    // seed 6): PixelMed reads the reserved bytes 00 01 as a short-form length of 256, skips past
    // the transfer syntax, guesses the encoding and tried to read a 775 MB value from a 40 KB file
    byte[] b = Files.readAllBytes(write("valid.dcm", TestImages.mammogram().build()));
    int at = metaInformationVersion(b);
    b[at + 7] = 1;
    Path flipped = dir.resolve("flipped.dcm");
    Files.write(flipped, b);

    // when
    Quiet q = processCapturingStandardError(flipped);
    Outcome o = q.outcome();

    // then: refused by the structure walk, which reads the file as PixelMed would, before PixelMed
    assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
    assertThat(o.reason()).as(String.valueOf(o.text())).isEqualTo(Reason.CORRUPT);
    assertThat(o.text()).contains("Transfer Syntax UID");
    assertThat(q.standardError()).doesNotContain("guessing");
    assertThat(published.rejections).hasSize(1);
  }

  @Test
  void shouldStoreAValidImageWhoseMetaOtherByteElementIsInTheShortLengthForm() throws Exception {
    // given: (0002,0001) OB written with a 16-bit length (02 00) instead of reserved bytes and a
    // 32-bit length, as some writers do; PixelMed reads it ("compensating"), so ingest must too
    byte[] b = Files.readAllBytes(write("valid.dcm", TestImages.mammogram().build()));
    int at = metaInformationVersion(b);
    assertThat(b[at + 8]).as("OB length 2").isEqualTo((byte) 2);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(b, 0, at + 6); // tag and "OB"
    out.write(new byte[] {2, 0}); // the short form's length
    out.write(b, at + 12, b.length - (at + 12)); // the value (00 01) and everything after it
    byte[] shortForm = out.toByteArray();
    addToMetaGroupLength(shortForm, -4); // the meta group is 4 bytes shorter
    Path file = dir.resolve("short-form.dcm");
    Files.write(file, shortForm);

    // when
    Outcome o = process(file);

    // then
    assertThat(o.status()).as(String.valueOf(o.text())).isEqualTo(Outcome.Status.STORED);
    assertThat(published.rejections).isEmpty();
  }

  /** What {@link #process} answered, and what was printed to standard error meanwhile. */
  private record Quiet(Outcome outcome, String standardError) {}

  private Quiet processCapturingStandardError(Path file) throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Quiet(process(file), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(before);
    }
  }

  /**
   * Adds {@code delta} to the value of (0002,0000) UL in a file TestImages wrote: its low 16 bits,
   * after the preamble, DICM, the tag (4), "UL" (2) and the 16-bit length (2).
   */
  private static void addToMetaGroupLength(byte[] b, int delta) {
    int at = 140;
    int len = ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8) + delta;
    b[at] = (byte) len;
    b[at + 1] = (byte) (len >> 8);
  }

  /** Where (0002,0001) starts in a file TestImages wrote (after (0002,0000) UL). */
  private static int metaInformationVersion(byte[] b) {
    assertThat(new String(b, 128, 4, StandardCharsets.ISO_8859_1)).isEqualTo("DICM");
    int at = 132 + 12; // (0002,0000) UL: tag, VR, 16-bit length, 4-byte value
    assertThat(new byte[] {b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5]})
        .isEqualTo(new byte[] {2, 0, 1, 0, 'O', 'B'});
    assertThat(b[at + 6] == 0 && b[at + 7] == 0).as("reserved bytes").isTrue();
    return at;
  }

  @Test
  void shouldStoreAValidImageWhoseFileMetaGroupLengthIsStale() throws Exception {
    // given: a valid image whose (0002,0000) was not recounted after its meta UIDs were edited
    byte[] b = Files.readAllBytes(write("valid.dcm", TestImages.mammogram().build()));
    assertThat(new String(b, 128, 4, StandardCharsets.ISO_8859_1)).isEqualTo("DICM");
    assertThat(b[132] == 0x02 && b[133] == 0 && b[134] == 0 && b[135] == 0).isTrue();
    addToMetaGroupLength(b, 34);
    Path stale = dir.resolve("stale.dcm");
    Files.write(stale, b);

    // when
    Outcome o = process(stale);

    // then
    assertThat(o.status()).as(String.valueOf(o.text())).isEqualTo(Outcome.Status.STORED);
    assertThat(published.rejections).isEmpty();
  }

  @Test
  void shouldRefuseSequencesNestedAThousandDeepWithOneDlqRecordAndKeepWorking() throws Exception {
    // given: a valid image with a private sequence nested 1,000 deep before its pixel data
    AttributeList l = TestImages.mammogram().build();
    byte[] valid = Files.readAllBytes(write("valid.dcm", l));
    byte[] bomb =
        DicomBytes.insertAt(
            valid, DicomBytes.find(valid, 0x7FE00010, "OW"), DicomBytes.nestedSequences(1000));
    Path file = Files.write(dir.resolve("bomb.dcm"), bomb);

    // when
    Outcome o = process(file);

    // then
    assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
    assertThat(o.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(o.text()).contains("ingest.limit.sequence.depth");
    assertThat(published.rejections)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getReasonCode()).isEqualTo("LIMIT_EXCEEDED");
              assertThat(r.getSopInstanceUid())
                  .isEqualTo(Attribute.getSingleStringValueOrNull(l, TagFromName.SOPInstanceUID));
            });
    assertThat(process(write("after.dcm", TestImages.mammogram().build())).status())
        .isEqualTo(Outcome.Status.STORED);
  }

  @Test
  void shouldKeepAnOverlongSopClassUidAndWhatItSwallowedOutOfTheDlqRecord() throws Exception {
    // given: the SOP Class UID's length flipped to 58,908, so that its value swallows the
    // elements after it, the patient's name and ID among them
    String id = "PID-SECRET-4711";
    String name = "Secretname^Patientia";
    AttributeList l = TestImages.mammogram().size(320, 200).patient(id, name).build();
    byte[] valid = Files.readAllBytes(write("valid.dcm", l));
    Path file =
        Files.write(
            dir.resolve("flipped.dcm"),
            DicomBytes.withShortLength(valid, 0x00080016, "UI", 58_908));

    // when
    Outcome o = process(file);

    // then
    assertThat(o.status()).isEqualTo(Outcome.Status.REJECTED);
    RejectedInstance r = published.rejections.get(0);
    assertThat(published.rejections).hasSize(1);
    assertThat(DlqFields.violations(r)).isEmpty();
    assertThat(r.getSopClassUid()).isNull();
    String all = r.toString();
    assertThat(all)
        .doesNotContain("SECRET")
        .doesNotContain("Secretname")
        .doesNotContain("Patientia");
    assertThat(published.images).isEmpty();
  }

  static Stream<Arguments> inconsistentPixelModules() {
    return Stream.of(
        Arguments.of(
            "RGB with SamplesPerPixel 1", edit(TagFromName.PhotometricInterpretation, "RGB")),
        Arguments.of(
            "PALETTE COLOR without a LUT",
            edit(TagFromName.PhotometricInterpretation, "PALETTE COLOR")),
        Arguments.of(
            "PhotometricInterpretation XYZ", edit(TagFromName.PhotometricInterpretation, "XYZ")),
        Arguments.of("BitsStored > BitsAllocated", edit(TagFromName.BitsStored, 20)),
        Arguments.of("HighBit 40", edit(TagFromName.HighBit, 40)),
        Arguments.of("NumberOfFrames 0", edit(TagFromName.NumberOfFrames, "0")),
        Arguments.of("PixelSpacing 0\\0", edit(TagFromName.PixelSpacing, "0", "0")),
        Arguments.of(
            "pixel data twice the expected length", (Edit) IngestPipelineTest::doublePixels));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inconsistentPixelModules")
  void shouldRefuseAnInconsistentPixelModule(String what, Edit edit) throws Exception {
    // given
    AttributeList l = TestImages.mammogram().build();
    edit.apply(l);

    // when
    Outcome o = process(write("bad.dcm", l));

    // then
    assertThat(o.reason()).as(what).isEqualTo(Reason.INVALID_PIXEL_MODULE);
    assertThat(published.images).isEmpty();
    assertThat(published.rejections)
        .singleElement()
        .satisfies(r -> assertThat(DlqFields.violations(r)).isEmpty());
  }

  static Stream<Arguments> badUids() {
    String latin1 =
        new String(new byte[] {'1', '.', '2', '.', (byte) 0xE9, '3'}, StandardCharsets.ISO_8859_1);
    return Stream.of(
        Arguments.of(
            "a study UID of 200 characters",
            TagFromName.StudyInstanceUID,
            "1.2." + "3".repeat(196)),
        Arguments.of("a study UID with letters", TagFromName.StudyInstanceUID, "1.2.840.abc.7"),
        Arguments.of("a study UID with a non-UTF-8 byte", TagFromName.StudyInstanceUID, latin1),
        Arguments.of("a series UID with letters", TagFromName.SeriesInstanceUID, "1.2.x"),
        Arguments.of(
            "a SOP instance UID of 65 characters",
            TagFromName.SOPInstanceUID,
            "1." + "2".repeat(63)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUids")
  void shouldRefuseAUidThatIsNotAUid(String what, AttributeTag tag, String value) throws Exception {
    // given
    AttributeList l = TestImages.mammogram().build();
    TestImages.put(l, tag, value);

    // when
    Outcome o = process(write("bad.dcm", l));

    // then
    assertThat(o.reason()).as(what).isEqualTo(Reason.INVALID_UID);
    assertThat(published.images).isEmpty();
    assertThat(published.rejections)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(DlqFields.violations(r)).isEmpty();
              assertThat(r.toString()).doesNotContain(value);
            });
  }

  @Test
  void shouldRefuseADoseReportAsNotAnImage() throws Exception {
    // given: an X-Ray Radiation Dose SR as a mammography unit sends it with every study
    AttributeList l = new AttributeList();
    TestImages.put(l, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.88.67");
    TestImages.put(l, TagFromName.SOPInstanceUID, "1.2.826.0.1.3680043.9.7.1");
    TestImages.put(l, TagFromName.StudyInstanceUID, "1.2.826.0.1.3680043.9.7.2");
    TestImages.put(l, TagFromName.SeriesInstanceUID, "1.2.826.0.1.3680043.9.7.3");
    TestImages.put(l, TagFromName.Modality, "SR");

    // when
    Outcome o = process(write("dose.dcm", l));

    // then
    assertThat(o.reason()).isEqualTo(Reason.NOT_AN_IMAGE);
    assertThat(published.rejections)
        .singleElement()
        .satisfies(r -> assertThat(r.getModality()).isEqualTo("SR"));
  }

  @Test
  void shouldRefuseAForProcessingImageWithTinyPixelsAsForProcessing() throws Exception {
    // given
    AttributeList l = TestImages.mammogram().size(8, 8).build();
    TestImages.put(l, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.1.2.1");

    // when
    Outcome o = process(write("raw.dcm", l));

    // then
    assertThat(o.reason()).isEqualTo(Reason.FOR_PROCESSING);
  }

  @Test
  void shouldStoreEveryUncompressedTransferSyntax() throws Exception {
    for (String ts :
        new String[] {
          TransferSyntax.ImplicitVRLittleEndian,
          TransferSyntax.ExplicitVRLittleEndian,
          TransferSyntax.ExplicitVRBigEndian
        }) {
      Path f = TestImages.mammogram().write(dir.resolve(ts + ".dcm"), ts);
      assertThat(process(f).status()).as(ts).isEqualTo(Outcome.Status.STORED);
    }
  }

  /** A change to a valid image's attributes. */
  interface Edit {
    void apply(AttributeList l) throws Exception;
  }

  private static Edit edit(AttributeTag tag, Object... values) {
    return l -> TestImages.put(l, tag, values);
  }

  private static void doublePixels(AttributeList l) throws Exception {
    short[] px = l.get(TagFromName.PixelData).getShortValues();
    short[] twice = new short[px.length * 2];
    System.arraycopy(px, 0, twice, 0, px.length);
    OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
    a.setValues(twice);
    l.put(a);
  }
}
