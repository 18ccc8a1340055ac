package org.mammotriage.ingest.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Fixtures;

/**
 * The working image is the contract between ingest and the scorer (DESIGN §3): changing how it is
 * encoded must not change a pixel. Pixels of both synthetic vendors and of the real CBIS-DDSM
 * samples are pinned by digest (computed with the ImageIO writer ingest used before the libdeflate
 * one), and the new PNG must decode, with ImageIO, to exactly the pixels the old writer's PNG
 * decodes to.
 */
class WorkingImageEqualityTest {
  @TempDir Path dir;

  /** SHA-256 of the working image's pixels, from the code before the libdeflate PNG writer. */
  private static final Map<String, String> PINNED =
      Map.of(
          "synthetic A",
          "945d334f06cd3c2dc7060ee320fc262189254e440772e1644a81ff50b2a7ef5c",
          "synthetic B",
          "5f5874c5ee0fd183cc7ded882b20ad059dac2614fbd0f6d98fa08fc2674aff49",
          "cbis-ddsm/P_00016_LEFT_CC_1_cropped_000001.dcm",
          "6c6c88b500d41532664796199ebbafda518df4a0365618073987411c1736013f",
          "cbis-ddsm/P_00116_RIGHT_MLO_1_roi_000000.dcm",
          "54e2ac34205494b1ce599a7f67ee5b4e7527a81824f12796065e6d4546d48068");

  @Test
  void shouldKeepEveryPixelOfBothVendorsAndTheRealSamples() throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    SyntheticArchive.of(SynthOptions.defaults(4, 2)).generate(dir.resolve("a"));
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      for (Path p : s.filter(f -> f.toString().endsWith("L_CC.dcm")).sorted().toList()) {
        AttributeList h = new AttributeList();
        h.read(p.toFile(), TagFromName.PixelData);
        String m = Attribute.getSingleStringValueOrEmptyString(h, TagFromName.Manufacturer);
        files.putIfAbsent("synthetic " + m.substring(m.length() - 1), p);
      }
    }
    for (String name :
        List.of(
            "cbis-ddsm/P_00016_LEFT_CC_1_cropped_000001.dcm",
            "cbis-ddsm/P_00116_RIGHT_MLO_1_roi_000000.dcm")) {
      files.put(name, Fixtures.sample(name));
    }
    assertThat(files).containsOnlyKeys(PINNED.keySet());
    Preprocessor pp = Preprocessor.defaults();
    Map<String, String> digests = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : files.entrySet()) {
      AttributeList l = new AttributeList();
      l.read(e.getValue().toFile());
      WorkingImage w = pp.process(l);
      String what = e.getKey();
      digests.put(what, sha256(w.gray()));
      byte[] now = pixels(w.png(), w.rows(), w.cols());
      byte[] before = pixels(imageIoPng(w.gray(), w.rows(), w.cols()), w.rows(), w.cols());
      assertThat(now).as(what).isEqualTo(before).isEqualTo(w.gray());
    }
    assertThat(digests).isEqualTo(PINNED);
  }

  private static byte[] pixels(byte[] png, int rows, int cols) throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
    assertThat(img.getHeight()).isEqualTo(rows);
    assertThat(img.getWidth()).isEqualTo(cols);
    byte[] b = new byte[rows * cols];
    img.getRaster().getDataElements(0, 0, cols, rows, b);
    return b;
  }

  /** The PNG writer ingest used before: ImageIO at compression quality 0.75. */
  private static byte[] imageIoPng(byte[] gray, int rows, int cols) throws Exception {
    BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, cols, rows, gray);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
    ImageWriteParam param = w.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.75f);
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      w.setOutput(ios);
      w.write(null, new IIOImage(img, null, null), param);
    } finally {
      w.dispose();
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
