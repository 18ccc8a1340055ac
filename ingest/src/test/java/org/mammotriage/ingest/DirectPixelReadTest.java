package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Fixtures;

/**
 * Ingest reads a native little-endian file's pixel data straight from the file at the offset the
 * structure walk found (one parse), instead of parsing the whole file again with PixelMed. Both
 * reads must give the same working image, pixel for pixel, for every pixel module: 8-bit (OB and,
 * as dcmtk's storescu writes it, OW), 12/16-bit, signed, MONOCHROME1, window, VOI LUT sequence,
 * both synthetic vendors at full size and the real samples; and the fast path must really be taken.
 */
class DirectPixelReadTest {
  @TempDir Path dir;

  private final Limits limits = Limits.defaults();
  private final InstanceDecoder decoder =
      new InstanceDecoder(new InstanceClassifier(true, limits), limits, Preprocessor.defaults());

  @Test
  void shouldGiveTheSameWorkingImageAsAFullParseForEveryPixelModule() throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    int i = 0;
    for (int bits : new int[] {8, 12, 16}) {
      for (boolean signed : new boolean[] {false, true}) {
        for (boolean mono1 : new boolean[] {false, true}) {
          for (String voi : new String[] {"none", "window", "lut"}) {
            for (String ts :
                List.of(
                    TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian)) {
              String name =
                  bits
                      + "bit"
                      + (signed ? "-signed" : "")
                      + (mono1 ? "-mono1" : "")
                      + "-"
                      + voi
                      + (ts.equals(TransferSyntax.ImplicitVRLittleEndian) ? "-implicit" : "");
              files.put(
                  name,
                  TestImages.mammogram()
                      .size(300, 200)
                      .bits(bits)
                      .signed(signed && bits > 8)
                      .monochrome1(mono1)
                      .voi(voi)
                      .write(dir.resolve("t" + i++ + ".dcm"), ts));
            }
          }
        }
      }
    }
    SyntheticArchive.of(SynthOptions.defaults(2, 1)).generate(dir.resolve("a"));
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".dcm")).sorted().limit(4).toList()) {
        files.put("synthetic " + dir.relativize(p), p);
      }
    }
    for (String name :
        List.of(
            "cbis-ddsm/P_00016_LEFT_CC_1_cropped_000001.dcm",
            "cbis-ddsm/P_00116_RIGHT_MLO_1_roi_000000.dcm",
            "vendor-headers/MG-Im-GE_Seno_1_ForPresentation.dcm")) {
      files.put(name, Fixtures.sample(name));
    }
    // dcmtk's storescu converts an 8-bit implicit VR file to explicit VR with OW pixel data
    Path eightBitOw = dir.resolve("8bit-ow.dcm");
    Process p =
        new ProcessBuilder(
                "dcmconv", "+te", files.get("8bit-none-implicit").toString(), eightBitOw.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
    files.put("8bit OW (dcmconv +te)", eightBitOw);

    List<String> direct = new ArrayList<>();
    for (Map.Entry<String, Path> e : files.entrySet()) {
      Path f = e.getValue();
      AttributeList header = new AttributeList();
      InstanceDecoder.Header h;
      try {
        h = decoder.inspect(f, Files.size(f), header);
      } catch (RejectedException r) {
        continue; // e.g. a sample that ingest refuses for its pixel format: nothing to compare
      }
      InstanceDecoder.Decoded full = decoder.decode(f);
      InstanceDecoder.Decoded fast = decoder.decode(f, header, h);
      assertThat(fast.workingImage().gray()).as(e.getKey()).isEqualTo(full.workingImage().gray());
      assertThat(fast.workingImage().version())
          .as(e.getKey())
          .isEqualTo(full.workingImage().version());
      assertThat(fast.workingImage().png()).as(e.getKey()).isEqualTo(full.workingImage().png());
      if (h.structure().nativePixelsAt()) {
        direct.add(e.getKey());
      }
    }
    // every file here is native little endian: all of them took the direct read
    assertThat(direct)
        .hasSizeGreaterThanOrEqualTo(files.size() - 1)
        .contains("8bit OW (dcmconv +te)", "16bit-signed-mono1-lut-implicit");
  }

  @Test
  void shouldNotReadPixelsDirectlyFromABigEndianFile() throws Exception {
    Path f =
        TestImages.mammogram()
            .bits(16)
            .write(dir.resolve("be.dcm"), TransferSyntax.ExplicitVRBigEndian);
    AttributeList header = new AttributeList();
    InstanceDecoder.Header h = decoder.inspect(f, Files.size(f), header);
    assertThat(h.structure().nativePixelsAt()).isFalse();
    assertThat(decoder.decode(f, header, h).workingImage().gray())
        .isEqualTo(decoder.decode(f).workingImage().gray());
  }
}
