package org.mammotriage.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;

/**
 * GLAM's depth-aligned columns on real pixels: a v2 archive through ingest's preprocessing, each
 * view's spacing and crop read back, and every lesion placed in a model column.
 */
class ViewGeometryTest {
  @TempDir static Path dir;
  static Path archive;

  @BeforeAll
  static void generate() throws Exception {
    archive = dir.resolve("archive");
    SyntheticArchive.of(
            SynthOptions.benchmarkV2(14, 3).withScale(0.1).withMalignantShare(1.0).withThreads(2))
        .generate(archive);
  }

  @Test
  void shouldParseTheCropAndPaddingIngestUsed() {
    // a 600×300 box padded to the 1520:912 aspect: width 600/1.6667 = 360
    ViewGeometry g = ViewGeometry.of(0.1, "pp-1;voi=window(1,2);crop=0,40,300,640;size=1520x912");
    assertThat(g.cropWidth()).isEqualTo(300);
    assertThat(g.paddedWidth()).isEqualTo(360);
    assertThat(g.breastDepthMm()).isCloseTo(30, within(1e-9));
    assertThat(g.mmPerColumn(160)).isCloseTo(0.1 * 360 / 160, within(1e-9));
    assertThat(ViewGeometry.of(0.1, "pp-1;voi=minmax").known()).isFalse();
  }

  @Test
  void shouldPutEveryLesionInTheSameDepthBinInCcAndMloWhereEqualColumnsDoNot() throws Exception {
    ViewImageLoader loader =
        new ViewImageLoader(Preprocessor.defaults(), 256, 160, 0.2, 0.25)
            .withDiskCache(dir.resolve("cache"));
    List<String> truth = Files.readAllLines(archive.resolve("truth.csv"));
    List<String> header = List.of(truth.get(0).split(","));
    Map<String, String> accessionOfStudy = new HashMap<>();
    for (String row : truth.subList(1, truth.size())) {
      String[] f = row.split(",", -1);
      accessionOfStudy.put(f[header.indexOf("study_uid")], f[header.indexOf("accession")]);
    }
    int grid = 4;
    int lesions = 0;
    int equalColumnsDisagree = 0;
    for (String row : truth.subList(1, truth.size())) {
      String[] f = row.split(",", -1);
      if (f[header.indexOf("lesion_type")].isEmpty()) {
        continue;
      }
      String acc = f[header.indexOf("accession")];
      char lat = f[header.indexOf("laterality")].charAt(0);
      Path cc = archive.resolve(acc).resolve(lat + "_CC.dcm");
      Path mlo = archive.resolve(acc).resolve(lat + "_MLO.dcm");
      ViewGeometry gCc = loader.geometry(cc);
      ViewGeometry gMlo = loader.geometry(mlo);
      // stored pixel columns; right breasts are stored mirrored (chest wall on the right)
      double xCc = chestWallColumn(f[header.indexOf("lesion_cc_x")], lat, cc);
      double xMlo = chestWallColumn(f[header.indexOf("lesion_mlo_x")], lat, mlo);
      // model columns (160 wide) of the lesion in each view
      double colCc = xCc * 160 / gCc.paddedWidth();
      double colMlo = xMlo * 160 / gMlo.paddedWidth();
      double depth = Math.max(gCc.breastDepthMm(), gMlo.breastDepthMm());
      int binCc = (int) (colCc * gCc.mmPerColumn(160) / (depth / grid));
      int binMlo = (int) (colMlo * gMlo.mmPerColumn(160) / (depth / grid));
      double truthMm = Double.parseDouble(f[header.indexOf("lesion_distance_mm")]);
      assertThat(colCc * gCc.mmPerColumn(160)).isCloseTo(truthMm, within(1.0));
      assertThat(colMlo * gMlo.mmPerColumn(160)).isCloseTo(truthMm, within(1.0));
      assertThat(Math.abs(binCc - binMlo)).isLessThanOrEqualTo(0);
      equalColumnsDisagree += (int) (colCc * grid / 160) != (int) (colMlo * grid / 160) ? 1 : 0;
      lesions++;
    }
    assertThat(lesions).isGreaterThanOrEqualTo(10);
    // the MLO crop is taller, so it is scaled down more: equal columns put lesions elsewhere
    assertThat(equalColumnsDisagree).isPositive();
  }

  private static double chestWallColumn(String stored, char lat, Path dicom) throws Exception {
    double x = Double.parseDouble(stored);
    if (lat == 'L') {
      return x;
    }
    com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
    l.read(dicom.toFile(), com.pixelmed.dicom.TagFromName.PixelData);
    int cols =
        com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(
            l, com.pixelmed.dicom.TagFromName.Columns, 0);
    return cols - 1 - x;
  }
}
