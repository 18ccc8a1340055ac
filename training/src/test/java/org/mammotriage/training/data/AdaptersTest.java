package org.mammotriage.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdaptersTest {
  private final PatientSplitter splitter = PatientSplitter.standard();

  @Test
  void shouldJoinEmbedMetadataWithClinicalFindingsPerBreast() {
    // when
    List<ManifestRow> rows =
        EmbedAdapter.read(
            TestResources.fixture("embed"),
            TestResources.fixture("embed/EMBED_OpenData_metadata.csv"),
            TestResources.fixture("embed/EMBED_OpenData_clinical.csv"),
            splitter);
    // then: C-view, spot and the male patient (tissueden 5) are dropped
    assertThat(rows)
        .extracting(ManifestRow::sopUid)
        .containsExactly(
            "1.2.3.1.dcm",
            "1.2.3.2.dcm",
            "1.2.3.3.dcm",
            "1.2.3.4.dcm",
            "1.2.4.1.dcm",
            "1.2.4.2.dcm");
    Map<String, ManifestRow> bySop =
        rows.stream().collect(Collectors.toMap(ManifestRow::sopUid, Function.identity()));
    ManifestRow rightCc = bySop.get("1.2.3.3.dcm");
    assertThat(rightCc.birads()).as("most suspicious of S and B").isEqualTo(4);
    assertThat(rightCc.mass()).isEqualTo(1);
    assertThat(rightCc.calcification()).isEqualTo(1);
    assertThat(rightCc.malignant()).isEqualTo(1);
    assertThat(rightCc.density()).isEqualTo(3);
    assertThat(rightCc.age()).isEqualTo(61);
    assertThat(rightCc.extra("mass_shape", "")).isEqualTo("irregular");
    assertThat(rightCc.extra("mass_margin", "")).isEqualTo("spiculated");
    assertThat(rightCc.extra("calc_distribution", "")).isEqualTo("grouped");
    assertThat(rightCc.extra("reason", "")).isEqualTo("diagnostic");
    assertThat(rightCc.imagePath()).isEqualTo("10001/5001/1.2.3.3.dcm");
    ManifestRow leftCc = bySop.get("1.2.3.1.dcm");
    assertThat(List.of(leftCc.birads(), leftCc.mass(), leftCc.calcification(), leftCc.malignant()))
        .containsExactly(1, 0, 0, 0);
    ManifestRow both = bySop.get("1.2.4.1.dcm");
    assertThat(both.extra("race", "")).isEqualTo("Caucasian or White");
    assertThat(both.extra("ethnicity", "")).isEqualTo("Hispanic or Latino");
    assertThat(both.extra("reason", "")).isEqualTo("screening");
    assertThat(both.yearsToCancer()).isNull();
  }

  @Test
  void shouldReadVindrBreastLevelAndFindingsWithTheirOwnTestSplit() {
    // when
    List<ManifestRow> rows =
        VindrAdapter.read(
            TestResources.fixture("vindr/breast-level_annotations.csv"),
            TestResources.fixture("vindr/finding_annotations.csv"),
            splitter);
    // then
    assertThat(rows).hasSize(6);
    ManifestRow rightCc = rows.get(2);
    assertThat(rightCc.laterality()).isEqualTo("R");
    assertThat(rightCc.birads()).isEqualTo(4);
    assertThat(rightCc.density()).isEqualTo(3);
    assertThat(rightCc.mass()).isEqualTo(1);
    assertThat(rightCc.calcification())
        .as("the MLO finding holds for the whole breast")
        .isEqualTo(1);
    assertThat(rightCc.malignant()).as("VinDr has no pathology").isEqualTo(-1);
    assertThat(rightCc.imagePath())
        .isEqualTo(
            "images/b8d273e8601b348d3b2b5bc3d1f2ae86/" + "cd0fc7bc53ac632a11643ac4cc91002a.dicom");
    assertThat(rows.get(0).mass()).isZero();
    assertThat(rows.get(4).split()).isEqualTo("test");
    assertThat(rows.get(0).split()).isIn("train", "val");
    assertThat(rows.subList(0, 4)).extracting(ManifestRow::split).containsOnly(rows.get(0).split());
  }

  @Test
  void shouldReadRsnaTrainCsvMappingDensityLettersAndCancer() {
    // when
    List<ManifestRow> rows = RsnaAdapter.read(TestResources.fixture("rsna/train.csv"), splitter);
    // then
    assertThat(rows).hasSize(7);
    ManifestRow cancer = rows.get(4);
    assertThat(cancer.malignant()).isEqualTo(1);
    assertThat(cancer.density()).isEqualTo(3);
    assertThat(cancer.birads()).isZero();
    assertThat(cancer.mass()).as("RSNA has no mass label").isEqualTo(-1);
    assertThat(cancer.imagePath()).isEqualTo("train_images/10011/220375232.dcm");
    assertThat(rows.get(0).density()).isNull();
    assertThat(rows.get(6).view()).isEqualTo("AT");
    assertThat(
            rows.stream()
                .filter(r -> r.patientId().equals("10011"))
                .map(ManifestRow::split)
                .distinct())
        .hasSize(1);
  }

  @Test
  void shouldNameTheMissingColumnsWhenATableHasTheWrongLayout(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("train.csv");
    Files.writeString(bad, "patient_id,image_id,laterality\n1,2,L\n");
    assertThatThrownBy(() -> RsnaAdapter.read(bad, splitter))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("RSNA train.csv")
        .hasMessageContaining("[view, age, cancer]");
  }

  @Test
  void shouldGiveTheLineOfABadValue(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("train.csv");
    Files.writeString(
        bad,
        "patient_id,image_id,laterality,view,age,cancer,density\n1,2,L,CC,50,0,A\n1,3,L,CC,50,0,Z\n");
    assertThatThrownBy(() -> RsnaAdapter.read(bad, splitter))
        .hasMessageContaining("line 3")
        .hasMessageContaining("density must be A-D");
  }
}
