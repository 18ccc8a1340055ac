package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.jaiimageio.jpeg2000.J2KImageWriteParam;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.KafkaTestCluster;

/**
 * The conformance suite (#18): small synthetic mammograms ({@link TestImages}) in every pixel
 * format ingest takes (8/12/16 bits stored, MONOCHROME1/2, unsigned/signed, VOI LUT sequence /
 * window / none), converted by real tools into each transfer syntax, sent with dcmtk's {@code
 * storescu} proposing that transfer syntax to the real SCP against a real broker. Every combination
 * must end in one of:
 *
 * <ul>
 *   <li><b>accepted</b> as sent, and its working image in Kafka equal to the one ingest makes from
 *       the uncompressed reference (lossy syntaxes: mean absolute difference at most {@link
 *       #LOSSY_MEAN_ABS_DIFF} grey levels of 255);
 *   <li><b>refused at negotiation</b>: the SCP did not accept the transfer syntax, storescu
 *       converted the file to one it did, and that image matches the reference the same way;
 *   <li><b>refused with a reason</b>: a failure status and one DLQ record with a reason code;
 *   <li><b>not made</b>: the tool cannot make it (e.g. JPEG baseline from 16-bit data).
 * </ul>
 *
 * Which transfer syntax ends where is pinned in {@link Encoding#negotiated}. JPEG 2000 files are
 * made with jai-imageio-jpeg2000 (the codec ingest decodes with): Debian's dcmtk 3.6.7 has no JPEG
 * 2000 encoder ({@code dcmcjp2k} is OFFIS's commercial add-on), and the synthetic archive makes its
 * JPEG 2000 files the same way.
 */
class TransferSyntaxConformanceIT {
  /** Lossy syntaxes: the working images may differ by this mean absolute difference (of 255). */
  static final double LOSSY_MEAN_ABS_DIFF = 3.0;

  /** JPEG 2000 lossy: bits per pixel of the code stream. */
  static final double LOSSY_J2K_BITS_PER_PIXEL = 3.0;

  static final int ROWS = 96;
  static final int COLS = 72;

  @TempDir static Path tempDir;

  /** the files, kept for inspection when -Dconformance.dir=DIR is given */
  static Path dir;

  static KafkaTestCluster kafka;
  static IngestHarness ingest;
  static final List<Combination> combinations = new ArrayList<>();
  static final Map<Format, byte[]> reference = new HashMap<>();
  static InstanceDecoder decoder;
  static Map<String, MammogramImage> imagesBySop;
  static Map<String, List<RejectedInstance>> dlqBySop;

  /** One pixel format of {@link TestImages}. */
  record Format(int bits, boolean monochrome1, boolean signed, String voi) {
    String name() {
      return String.format(
          Locale.ROOT,
          "%dbit-%s-%s-voi_%s",
          bits,
          monochrome1 ? "MONO1" : "MONO2",
          signed ? "signed" : "unsigned",
          voi);
    }

    TestImages image() {
      return TestImages.mammogram()
          .size(ROWS, COLS)
          .bits(bits)
          .monochrome1(monochrome1)
          .signed(signed)
          .voi(voi);
    }
  }

  /**
   * A transfer syntax, the tool that makes it from an explicit little endian file ({@code null}:
   * jai-imageio JPEG 2000 in this test), storescu's option proposing it, and whether ingest
   * negotiates it.
   */
  record Encoding(
      String name,
      String transferSyntax,
      List<String> tool,
      String storescuOption,
      boolean lossy,
      boolean negotiated,
      String receivedAs) {
    Encoding(
        String name,
        String transferSyntax,
        List<String> tool,
        String storescuOption,
        boolean lossy,
        boolean negotiated) {
      this(name, transferSyntax, tool, storescuOption, lossy, negotiated, transferSyntax);
    }

    /** dcmtk's decoder of a lossy syntax it made: its output is that combination's reference */
    String dcmtkDecoder() {
      return !lossy || tool == null
          ? null
          : tool.get(0).equals("dcmcjpls") ? "dcmdjpls" : "dcmdjpeg";
    }
  }

  static final List<Encoding> ENCODINGS =
      List.of(
          new Encoding(
              "implicit-LE", "1.2.840.10008.1.2", List.of("dcmconv", "+ti"), "-xi", false, true),
          // storescu's default: it proposes explicit VR first and converts an implicit VR file,
          // writing 8-bit pixel data as OW (issue 18, item 1)
          new Encoding(
              "implicit-LE-storescu-default",
              "1.2.840.10008.1.2",
              List.of("dcmconv", "+ti"),
              "-x=",
              false,
              true,
              "1.2.840.10008.1.2.1"),
          new Encoding(
              "explicit-LE", "1.2.840.10008.1.2.1", List.of("dcmconv", "+te"), "-xe", false, true),
          new Encoding(
              "explicit-BE", "1.2.840.10008.1.2.2", List.of("dcmconv", "+tb"), "-xb", false, true),
          new Encoding(
              "deflated", "1.2.840.10008.1.2.1.99", List.of("dcmconv", "+td"), "-xd", false, true),
          new Encoding(
              "JPEG-lossless-SV1",
              "1.2.840.10008.1.2.4.70",
              List.of("dcmcjpeg", "+e1", "+un"),
              "-xs",
              false,
              true),
          new Encoding(
              "JPEG-baseline",
              "1.2.840.10008.1.2.4.50",
              List.of("dcmcjpeg", "+eb", "+un"),
              "-xy",
              true,
              true),
          new Encoding(
              "JPEG-extended-12bit",
              "1.2.840.10008.1.2.4.51",
              List.of("dcmcjpeg", "+ee", "+un"),
              "-xx",
              true,
              false),
          new Encoding("RLE", "1.2.840.10008.1.2.5", List.of("dcmcrle", "+un"), "-xr", false, true),
          new Encoding(
              "JPEG-LS-lossless",
              "1.2.840.10008.1.2.4.80",
              List.of("dcmcjpls", "+el", "+un"),
              "-xt",
              false,
              false),
          new Encoding(
              "JPEG-LS-near-lossless",
              "1.2.840.10008.1.2.4.81",
              List.of("dcmcjpls", "+en", "+un"),
              "-xu",
              true,
              false),
          new Encoding("JPEG2000-lossless", "1.2.840.10008.1.2.4.90", null, "-xv", false, true),
          new Encoding("JPEG2000-lossy", "1.2.840.10008.1.2.4.91", null, "-xw", true, true));

  enum Result {
    ACCEPTED,
    REFUSED_AT_NEGOTIATION_SENDER_CONVERTED,
    REFUSED_WITH_REASON,
    NOT_MADE,
    NOT_ANSWERED
  }

  static final class Combination {
    final Format format;
    final Encoding encoding;
    String sop;
    Path file;
    String notMade;

    /** the working image to compare with: the uncompressed one's, or dcmtk's decoding of it */
    byte[] reference;

    /** storescu's answer when it proposed the transfer syntax */
    String response;

    /** dcmsend's, converting, for a syntax ingest does not negotiate */
    String converted;

    Combination(Format format, Encoding encoding) {
      this.format = format;
      this.encoding = encoding;
    }

    String name() {
      return encoding.name() + " " + format.name();
    }

    Result result() {
      if (notMade != null) {
        return Result.NOT_MADE;
      }
      MammogramImage img = imagesBySop.get(sop);
      if (encoding.negotiated()) {
        if ("Success".equals(response) && img != null) {
          return encoding.receivedAs().equals(img.getTransferSyntaxUid())
              ? Result.ACCEPTED
              : Result.NOT_ANSWERED;
        }
        if (response != null
            && !response.equals("Success")
            && !response.startsWith("NO_RESPONSE")
            && !response.startsWith("NOT_SENT")
            && dlqBySop.getOrDefault(sop, List.of()).size() == 1) {
          return Result.REFUSED_WITH_REASON;
        }
        return Result.NOT_ANSWERED;
      }
      // not negotiated: storescu, offered only uncompressed syntaxes beside it, cannot send the
      // file as it is; dcmsend decompresses and the image arrives in an uncompressed syntax
      boolean refused =
          response != null
              && response.startsWith("NO_RESPONSE")
              && response.contains("unable to convert dataset");
      boolean sentConverted =
          img != null
              && InstanceClassifier.TRANSFER_SYNTAXES.contains(img.getTransferSyntaxUid())
              && !img.getTransferSyntaxUid().equals(encoding.transferSyntax());
      return refused && sentConverted && !dlqBySop.containsKey(sop)
          ? Result.REFUSED_AT_NEGOTIATION_SENDER_CONVERTED
          : Result.NOT_ANSWERED;
    }

    String reason() {
      return switch (result()) {
        case NOT_MADE -> "not made: " + notMade;
        case REFUSED_WITH_REASON -> dlqBySop.get(sop).get(0).getReasonCode();
        case REFUSED_AT_NEGOTIATION_SENDER_CONVERTED ->
            "dcmsend +dly sent it as " + imagesBySop.get(sop).getTransferSyntaxUid();
        case NOT_ANSWERED ->
            "storescu: "
                + firstLine(response)
                + (converted == null ? "" : "; dcmsend: " + firstLine(converted));
        case ACCEPTED -> "";
      };
    }
  }

  @BeforeAll
  static void sendEveryCombination() throws Exception {
    dir =
        System.getProperty("conformance.dir") == null
            ? tempDir
            : Files.createDirectories(Path.of(System.getProperty("conformance.dir")));
    kafka = KafkaTestCluster.start();
    ingest =
        new IngestHarness(
            kafka.bootstrapServers(),
            dir.resolve("spool"),
            Map.of(IngestConfig.WORKING_ROWS, "192", IngestConfig.WORKING_COLUMNS, "120"));
    decoder =
        InstanceDecoder.fromConfig(
            ConfigLoader.load(
                IngestConfig.define(CommonConfig.define()),
                null,
                Map.of(),
                Map.of(IngestConfig.WORKING_ROWS, "192", IngestConfig.WORKING_COLUMNS, "120")));
    for (int bits : new int[] {8, 12, 16}) {
      for (boolean mono1 : new boolean[] {false, true}) {
        for (boolean signed : new boolean[] {false, true}) {
          for (String voi : List.of("none", "window", "lut")) {
            Format f = new Format(bits, mono1, signed, voi);
            Path ref = f.image().write(dir.resolve("ref/" + f.name() + ".dcm"), explicitLe());
            reference.put(f, workingImage(ref));
            for (Encoding e : ENCODINGS) {
              combinations.add(make(f, e));
            }
          }
        }
      }
    }
    for (Encoding e : ENCODINGS) {
      List<Combination> made =
          combinations.stream().filter(c -> c.encoding == e && c.notMade == null).toList();
      if (made.isEmpty()) {
        continue;
      }
      Map<String, String> responses =
          Storescu.send(
              ingest.port(),
              "MODALITY",
              List.of(e.storescuOption()),
              made.stream().map(c -> c.file).toList());
      made.forEach(c -> c.response = responses.get(c.file.toString()));
      if (!e.negotiated()) {
        // storescu (dcmtk 3.6.7) cannot decode on the fly; dcmsend can: the sender converts
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    "dcmsend",
                    "-nh",
                    "+dly",
                    "-aet",
                    "MODALITY",
                    "-aec",
                    "MAMMOTRIAGE",
                    "127.0.0.1",
                    String.valueOf(ingest.port())));
        made.forEach(c -> cmd.add(c.file.toString()));
        var r = ScpHardeningIT.Tool.run(cmd.toArray(String[]::new));
        made.forEach(c -> c.converted = r.exitCode() == 0 ? "exit 0" : r.output());
      }
    }
    long sent = combinations.stream().filter(c -> c.response != null).count();
    var imageDe = SerdeFactory.singleObject().serde(MammogramImage.class, false).deserializer();
    var dlqDe = SerdeFactory.singleObject().serde(RejectedInstance.class, false).deserializer();
    long successes = combinations.stream().filter(c -> "Success".equals(c.response)).count();
    imagesBySop =
        kafka
            .consumeUntil(
                Topics.IMAGES.name(),
                new ByteArrayDeserializer(),
                l -> l.size() >= successes,
                Duration.ofSeconds(30))
            .stream()
            .map(r -> imageDe.deserialize("t", r.value()))
            .collect(Collectors.toMap(MammogramImage::getSopInstanceUid, i -> i, (a, b) -> a));
    dlqBySop =
        kafka
            .consumeAll(
                Topics.INGEST_DLQ.name(), new ByteArrayDeserializer(), Duration.ofSeconds(2))
            .stream()
            .map(r -> dlqDe.deserialize("t", r.value()))
            .filter(r -> r.getSopInstanceUid() != null)
            .collect(Collectors.groupingBy(RejectedInstance::getSopInstanceUid));
    printCounts(sent);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ingest != null) {
      ingest.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static byte[] workingImage(Path file) throws Exception {
    decoder.readHeader(file, Files.size(file), new AttributeList());
    return decoder.decode(file).workingImage().gray();
  }

  private static String explicitLe() {
    return TransferSyntax.ExplicitVRLittleEndian;
  }

  /** Builds a fresh instance (new UIDs, the same pixels) and converts it. */
  private static Combination make(Format f, Encoding e) throws Exception {
    Combination c = new Combination(f, e);
    AttributeList l = f.image().build();
    c.sop = l.get(TagFromName.SOPInstanceUID).getSingleStringValueOrEmptyString();
    Path src = dir.resolve("src/" + e.name() + "/" + f.name() + ".dcm");
    TestImages.writeList(l, src, explicitLe());
    c.file = dir.resolve("send/" + e.name() + "/" + f.name() + ".dcm");
    Files.createDirectories(c.file.getParent());
    if (e.tool() == null) {
      if (e.lossy() && f.signed() && f.bits() < 16) {
        // lossy values overshoot: a code stream wider than BitsStored wraps them when masked
        c.notMade = "jai-imageio writes signed samples at 16-bit precision only";
        return c;
      }
      writeJpeg2000(l, f, e.lossy(), c.file);
      c.reference = reference.get(f);
      return c;
    }
    List<String> cmd = new ArrayList<>(e.tool());
    cmd.add(src.toString());
    cmd.add(c.file.toString());
    ScpHardeningIT.Tool.Result r = ScpHardeningIT.Tool.run(cmd.toArray(String[]::new));
    if (r.exitCode() != 0 || !Files.exists(c.file)) {
      String first =
          r.output()
              .lines()
              .filter(s -> s.startsWith("E:") || s.startsWith("F:"))
              .findFirst()
              .orElse("")
              .replaceAll(": (en|de)coding file: .*", "");
      c.notMade = e.tool().get(0) + " exit " + r.exitCode() + " " + first.trim();
      return c;
    }
    c.reference = reference.get(f);
    if (e.dcmtkDecoder() != null) {
      // dcmtk's lossy encoders render the image first (pixels scaled to the output bits, the VOI
      // LUT dropped): the image to match is the file's own, as dcmtk decodes it
      Path decoded = dir.resolve("decoded/" + e.name() + "/" + f.name() + ".dcm");
      Files.createDirectories(decoded.getParent());
      var d = ScpHardeningIT.Tool.run(e.dcmtkDecoder(), c.file.toString(), decoded.toString());
      assertThat(d.exitCode()).as(e.dcmtkDecoder() + " " + c.file + "\n" + d.output()).isZero();
      c.reference = workingImage(decoded);
    }
    return c;
  }

  /**
   * JPEG 2000 (one fragment, code stream only) of the stored values with jai-imageio: lossless, or
   * lossy at {@link #LOSSY_J2K_BITS_PER_PIXEL} bits per pixel.
   */
  private static void writeJpeg2000(AttributeList l, Format f, boolean lossy, Path out)
      throws Exception {
    int mask = (1 << f.bits()) - 1;
    BufferedImage bi;
    if (f.bits() > 8 && lossy) {
      // the code stream's precision is BitsStored (a 16-bit one lets lossy values overshoot 4095
      // in a 12-bit image), and signed samples are coded as signed (two's complement masked to
      // unsigned has a jump at zero that lossy coding smears; lossless keeps it exact)
      var cm =
          new java.awt.image.ComponentColorModel(
              java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY),
              new int[] {f.bits()},
              false,
              false,
              java.awt.Transparency.OPAQUE,
              f.signed()
                  ? java.awt.image.DataBuffer.TYPE_SHORT
                  : java.awt.image.DataBuffer.TYPE_USHORT);
      bi = new BufferedImage(cm, cm.createCompatibleWritableRaster(COLS, ROWS), false, null);
      short[] px = l.get(TagFromName.PixelData).getShortValues();
      int shift = 32 - f.bits();
      int[] row = new int[COLS];
      for (int y = 0; y < ROWS; y++) {
        for (int x = 0; x < COLS; x++) {
          row[x] = f.signed() ? (px[y * COLS + x] << shift) >> shift : px[y * COLS + x] & mask;
        }
        bi.getRaster().setPixels(0, y, COLS, 1, row);
      }
    } else {
      bi =
          new BufferedImage(
              COLS,
              ROWS,
              f.bits() <= 8 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_USHORT_GRAY);
      WritableRaster raster = bi.getRaster();
      int[] row = new int[COLS];
      if (f.bits() <= 8) {
        byte[] px = l.get(TagFromName.PixelData).getByteValues();
        for (int y = 0; y < ROWS; y++) {
          for (int x = 0; x < COLS; x++) {
            row[x] = px[y * COLS + x] & mask;
          }
          raster.setPixels(0, y, COLS, 1, row);
        }
      } else {
        short[] px = l.get(TagFromName.PixelData).getShortValues();
        for (int y = 0; y < ROWS; y++) {
          for (int x = 0; x < COLS; x++) {
            row[x] = px[y * COLS + x] & mask;
          }
          raster.setPixels(0, y, COLS, 1, row);
        }
      }
    }
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg2000").next();
    J2KImageWriteParam param = (J2KImageWriteParam) w.getDefaultWriteParam();
    param.setLossless(!lossy);
    if (lossy) {
      param.setEncodingRate(LOSSY_J2K_BITS_PER_PIXEL);
    }
    param.setWriteCodeStreamOnly(true);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(buf)) {
      w.setOutput(ios);
      w.write(null, new IIOImage(bi, null, null), param);
    } finally {
      w.dispose();
    }
    byte[] cs = buf.toByteArray();
    if (cs.length % 2 == 1) {
      cs = Arrays.copyOf(cs, cs.length + 1);
    }
    String ts = lossy ? TransferSyntax.JPEG2000 : TransferSyntax.JPEG2000Lossless;
    l.remove(TagFromName.PixelData);
    l.put(new OtherByteAttributeMultipleCompressedFrames(TagFromName.PixelData, new byte[][] {cs}));
    if (lossy) {
      TestImages.put(l, TagFromName.LossyImageCompression, "01");
    }
    TestImages.writeList(l, out, ts);
  }

  private static void printCounts(long sent) {
    Map<Result, Long> byResult = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (Combination c : combinations) {
      byResult.merge(c.result(), 1L, Long::sum);
      if (c.result() != Result.ACCEPTED) {
        byReason.merge(c.result() + " " + c.encoding.name() + ": " + c.reason(), 1L, Long::sum);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%nCONFORMANCE: %d combinations tried (%d pixel formats x %d ways of sending: the"
                + " transfer syntaxes, and implicit VR with storescu's default conversion), %d"
                + " sent%n",
            combinations.size(),
            reference.size(),
            ENCODINGS.size(),
            sent));
    byResult.forEach((r, n) -> sb.append(String.format(Locale.ROOT, "  %-42s %4d%n", r, n)));
    sb.append("  by transfer syntax (accepted / made):\n");
    for (Encoding e : ENCODINGS) {
      List<Combination> of = combinations.stream().filter(c -> c.encoding == e).toList();
      sb.append(
          String.format(
              Locale.ROOT,
              "    %-30s %-24s %2d / %2d%n",
              e.name(),
              e.transferSyntax(),
              of.stream().filter(c -> c.result() == Result.ACCEPTED).count(),
              of.stream().filter(c -> c.notMade == null).count()));
    }
    sb.append("  not accepted, by reason:\n");
    byReason.forEach((r, n) -> sb.append(String.format(Locale.ROOT, "    %4d  %s%n", n, r)));
    System.out.print(sb);
  }

  @Test
  void shouldAnswerEveryCombinationAcceptedRefusedOrNotMade() {
    assertThat(combinations).hasSize(36 * ENCODINGS.size());
    assertThat(reference).hasSize(36);
    assertThat(combinations)
        .filteredOn(c -> c.result() == Result.NOT_ANSWERED)
        .extracting(c -> c.name() + ": " + c.reason())
        .isEmpty();
  }

  @Test
  void shouldAcceptEveryNegotiatedTransferSyntaxAsSent() {
    Map<String, String> notAccepted = new LinkedHashMap<>();
    for (Combination c : combinations) {
      if (c.encoding.negotiated() && c.notMade == null && c.result() != Result.ACCEPTED) {
        notAccepted.put(c.name(), c.result() + " " + c.reason());
      }
    }
    assertThat(notAccepted).isEmpty();
  }

  @Test
  void shouldRefuseTransferSyntaxesItCannotDecodeAtNegotiationSoTheSenderConverts() {
    for (Combination c : combinations) {
      if (!c.encoding.negotiated() && c.notMade == null) {
        assertThat(c.result())
            .as(c.name() + " " + c.reason())
            .isEqualTo(Result.REFUSED_AT_NEGOTIATION_SENDER_CONVERTED);
      }
    }
  }

  @Test
  void shouldDecodeEveryStoredCombinationToTheReferenceWorkingImage() throws Exception {
    Map<String, String> differ = new LinkedHashMap<>();
    Map<String, Double> worst = new LinkedHashMap<>();
    int compared = 0;
    for (Combination c : combinations) {
      MammogramImage img = imagesBySop.get(c.sop);
      if (img == null || c.notMade != null) {
        continue;
      }
      byte[] ref = c.reference;
      byte[] got = gray(img);
      compared++;
      if (got.length != ref.length) {
        differ.put(c.name(), "size " + got.length + " vs " + ref.length);
        continue;
      }
      double mad = meanAbsDiff(ref, got);
      worst.merge(c.encoding.name(), mad, Math::max);
      if (c.encoding.lossy() ? mad > LOSSY_MEAN_ABS_DIFF : mad != 0) {
        differ.put(c.name(), String.format(Locale.ROOT, "mean abs diff %.3f", mad));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "CONFORMANCE: %d stored working images compared with their reference; largest mean abs"
            + " diff (of 255) by transfer syntax: %s%n",
        compared,
        worst.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", ")));
    assertThat(compared).isGreaterThan(0);
    assertThat(differ).isEmpty();
  }

  @Test
  void shouldStayUpAndAnswerEchoAfterwards() throws Exception {
    assertThat(
            ScpHardeningIT.Tool.run(
                    "echoscu", "-aec", "MAMMOTRIAGE", "127.0.0.1", String.valueOf(ingest.port()))
                .exitCode())
        .isZero();
  }

  private static String firstLine(String s) {
    return s == null ? "none" : s.lines().findFirst().orElse("");
  }

  static double meanAbsDiff(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return sum / (double) a.length;
  }

  static byte[] gray(MammogramImage img) throws Exception {
    java.nio.ByteBuffer b = img.getWorkingImagePng().duplicate();
    byte[] png = new byte[b.remaining()];
    b.get(png);
    // not ImageIO.read: it asks every reader, and PixelMed's JPEG lossless one prints each answer
    javax.imageio.ImageReader r = ImageIO.getImageReadersByFormatName("png").next();
    BufferedImage bi;
    try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
      r.setInput(in);
      bi = r.read(0);
    } finally {
      r.dispose();
    }
    int[] px = bi.getRaster().getPixels(0, 0, bi.getWidth(), bi.getHeight(), (int[]) null);
    byte[] out = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      out[i] = (byte) px[i];
    }
    return out;
  }
}
