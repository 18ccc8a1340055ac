package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.testing.DicomBytes;
import org.mammotriage.ingest.testing.Pipelines;
import org.mammotriage.ingest.testing.RecordingPublisher;
import org.mammotriage.ingest.testing.TestImages;

/** {@code import} over a folder: one bad file never stops the others. */
class FolderImporterTest {
  @TempDir Path dir;

  @Test
  void shouldImportEveryOtherFileWhenOneIsASequenceBombAndSayWhatWasRejected() throws Exception {
    // given: four valid images, a sequence bomb between them, a truncated file and a text file
    for (int i = 0; i < 4; i++) {
      TestImages.mammogram()
          .write(dir.resolve("s/img" + i + ".dcm"), TransferSyntax.ExplicitVRLittleEndian);
    }
    byte[] valid = Files.readAllBytes(dir.resolve("s/img0.dcm"));
    byte[] other = TestImagesBytes.fresh(dir);
    Files.write(
        dir.resolve("s/img1b-bomb.dcm"),
        DicomBytes.insertAt(
            other, DicomBytes.find(other, 0x7FE00010, "OW"), DicomBytes.nestedSequences(2_000)));
    Files.write(dir.resolve("s/img2b-truncated.dcm"), Arrays.copyOf(valid, valid.length / 2));
    Files.writeString(dir.resolve("s/notes.txt"), "not DICOM");
    RecordingPublisher published = new RecordingPublisher();

    // when
    FolderImporter.Summary s =
        new FolderImporter(Pipelines.of(published)).importFolder(dir, line -> {});

    // then
    assertThat(s.files()).isEqualTo(6);
    assertThat(s.stored()).isEqualTo(4);
    assertThat(published.images).hasSize(4);
    assertThat(s.rejected()).containsEntry("LIMIT_EXCEEDED", 1).containsEntry("CORRUPT", 1);
    assertThat(published.rejections).hasSize(2);
    assertThat(s.exitCode()).isEqualTo(1);
    assertThat(s.report())
        .contains("4 stored")
        .contains("2 rejected")
        .contains("img1b-bomb.dcm: LIMIT_EXCEEDED")
        .contains("img2b-truncated.dcm: CORRUPT");
  }

  @Test
  void shouldExitZeroWhenEveryFileWasStored() throws Exception {
    TestImages.mammogram().write(dir.resolve("a.dcm"), TransferSyntax.ExplicitVRLittleEndian);

    FolderImporter.Summary s =
        new FolderImporter(Pipelines.of(new RecordingPublisher())).importFolder(dir, line -> {});

    assertThat(s.exitCode()).isZero();
    assertThat(s.report()).contains("1 stored").contains("0 rejected");
  }

  /** A valid image's bytes, new UIDs each time. */
  static final class TestImagesBytes {
    static byte[] fresh(Path dir) throws Exception {
      Path f = Files.createTempFile(dir, "fresh", ".tmp");
      TestImages.writeList(
          TestImages.mammogram().build(), f, TransferSyntax.ExplicitVRLittleEndian);
      byte[] b = Files.readAllBytes(f);
      Files.delete(f);
      return b;
    }
  }
}
