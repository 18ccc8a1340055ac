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
        .as("the calcification box is on the MLO only: findings are per image")
        .isZero();
    assertThat(rows.get(3).calcification()).isEqualTo(1);
    assertThat(rows.get(3).mass()).isEqualTo(1);
    assertThat(rightCc.extra("findings", "")).isEqualTo("Mass|4|2355.9,1202.3,2539.1,1400.8");
    assertThat(rows.get(3).extra("findings", ""))
        .isEqualTo("Mass+Suspicious Calcification|4|2201.0,1500.2,2400.7,1700.1");
    assertThat(rows.get(0).extra("findings", "")).as("'No Finding' has no box").isEmpty();
    assertThat(rightCc.extra("height", "")).isEqualTo("3518");
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
    assertThat(cancer.extra("biopsy", "")).isEqualTo("1");
    assertThat(cancer.extra("invasive", "")).isEqualTo("1");
    assertThat(cancer.extra("difficult_negative_case", "")).as("pandas' True").isEqualTo("1");
    assertThat(rows.get(0).extra("biopsy", "")).isEqualTo("0");
    assertThat(rows.get(0).extra("difficult_negative_case", "")).isEqualTo("0");
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
  void shouldRefuseAnInvasiveNegativeInRsnaAndAFindingOfAnImageVindrDoesNotList(@TempDir Path dir)
      throws Exception {
    Path rsna = dir.resolve("train.csv");
    Files.writeString(
        rsna,
        "site_id,patient_id,image_id,laterality,view,age,cancer,biopsy,invasive,BIRADS,implant,"
            + "density,machine_id,difficult_negative_case\n"
            + "1,7,8,L,CC,50,0,1,1,,0,B,21,False\n");
    assertThatThrownBy(() -> RsnaAdapter.read(rsna, splitter))
        .hasMessageContaining("line 2")
        .hasMessageContaining("invasive is 1 but cancer is 0");
    Path findings = dir.resolve("finding_annotations.csv");
    Files.writeString(
        findings,
        "image_id,study_id,series_id,laterality,view_position,height,width,breast_birads,"
            + "breast_density,finding_categories,finding_birads,xmin,ymin,xmax,ymax,split\n"
            + "nope,s,x,L,CC,10,10,BI-RADS 4,DENSITY C,['Mass'],BI-RADS 4,1,1,2,2,training\n");
    assertThatThrownBy(
            () ->
                VindrAdapter.read(
                    TestResources.fixture("vindr/breast-level_annotations.csv"),
                    findings,
                    splitter))
        .hasMessageContaining("line 2")
        .hasMessageContaining("image nope is not in the breast-level annotations");
  }

  @Test
  void shouldLabelEmbedCancersFromLaterPathologyWithTimeToCancerFollowUpAndMassShapesOnly(
      @TempDir Path dir) throws Exception {
    // given: a screening recall (BI-RADS 0) whose cancer is proven on the diagnostic exam after it
    // (pathology recorded there only), an earlier screen 13 months before, and a later screen
    String clinical =
        String.join(
            "\n",
            "empi_anon,acc_anon,study_date_anon,desc,side,asses,tissueden,massshape,massmargin,"
                + "massdens,calcfind,calcdistri,bside,procdate_anon,path_severity,age_at_study,"
                + "RACE_DESC,ETHNIC_GROUP_DESC",
            "20001,6001,2016-01-10,MG Screening Bilateral,B,N,2,,,,,,,,,50,White,Non-Hispanic",
            "20001,6002,2017-01-15,MG Screening Bilateral,L,A,2,X,I,,,,,,,51,White,Non-Hispanic",
            "20001,6002,2017-01-15,MG Screening Bilateral,R,A,2,F,,,,,,,,51,White,Non-Hispanic",
            "20001,6003,2017-02-01,MG Diagnostic Left,L,S,2,X,S,,,,L,2017-02-20,0,51,White,"
                + "Non-Hispanic",
            "20001,6004,2019-02-01,MG Screening Bilateral,B,N,2,,,,,,,,,53,White,Non-Hispanic",
            "20002,7001,2018-05-05,MG Screening Bilateral,B,N,3,Q,,,,,,,,60,White,Non-Hispanic",
            "");
    StringBuilder meta =
        new StringBuilder(
            "empi_anon,acc_anon,anon_dicom_path,ImageLateralityFinal,ViewPosition,"
                + "FinalImageType,spot_mag,study_date_anon,Manufacturer\n");
    String[][] images = {
      {"20001", "6001"}, {"20001", "6002"}, {"20001", "6004"}, {"20002", "7001"}
    };
    for (String[] e : images) {
      for (String lat : new String[] {"L", "R"}) {
        meta.append(e[0])
            .append(',')
            .append(e[1])
            .append(",/x/anon_dicom/")
            .append(e[0])
            .append('/')
            .append(e[1])
            .append('/')
            .append(lat)
            .append(".dcm,")
            .append(lat)
            .append(",CC,2D,0,,HOLOGIC\n");
      }
    }
    Path c = dir.resolve("EMBED_OpenData_clinical.csv");
    Path m = dir.resolve("EMBED_OpenData_metadata.csv");
    Files.writeString(c, clinical);
    Files.writeString(m, meta.toString());

    // when
    Map<String, ManifestRow> rows =
        EmbedAdapter.read(dir, m, c, splitter).stream()
            .collect(Collectors.toMap(ManifestRow::imagePath, Function.identity()));

    // then (years = days / 365.25): the recall is malignant though its own rows have no
    // pathology (36 days later; 747 days of follow-up)
    ManifestRow recallLeft = rows.get("20001/6002/L.dcm");
    assertThat(recallLeft.malignant()).isEqualTo(1);
    assertThat(recallLeft.yearsToCancer()).isEqualTo(0.0986);
    assertThat(recallLeft.yearsToLastFollowup()).isEqualTo(2.0452);
    assertThat(recallLeft.mass()).isEqualTo(1);
    assertThat(recallLeft.birads()).isZero();
    // the other breast: no cancer, a focal asymmetry that is not a mass
    ManifestRow recallRight = rows.get("20001/6002/R.dcm");
    assertThat(recallRight.malignant()).isZero();
    assertThat(recallRight.yearsToCancer()).isNull();
    assertThat(recallRight.mass()).isZero();
    assertThat(recallRight.extra("asymmetry", "")).isEqualTo("focal asymmetry");
    // 406 days before the cancer: outside the 1-year window, a future cancer for the risk head
    ManifestRow early = rows.get("20001/6001/L.dcm");
    assertThat(early.malignant()).isZero();
    assertThat(early.yearsToCancer()).isEqualTo(1.1143);
    assertThat(early.yearsToLastFollowup()).isEqualTo(3.0609);
    assertThat(early.examDate()).isEqualTo("2016-01-10");
    // after the diagnosis the left breast is left out, the right one stays, censored at 0 years
    assertThat(rows).doesNotContainKey("20001/6004/L.dcm");
    assertThat(rows.get("20001/6004/R.dcm").yearsToLastFollowup()).isEqualTo(0.0);
    // architectural distortion (Q) is not a mass
    ManifestRow distortion = rows.get("20002/7001/L.dcm");
    assertThat(distortion.mass()).isZero();
    assertThat(distortion.extra("distortion", "")).isEqualTo("1");
    // a wider window (the exam 406 days before counts) changes only what it should
    assertThat(
            EmbedAdapter.read(dir, m, c, splitter, 500).stream()
                .filter(r -> r.imagePath().equals("20001/6001/L.dcm"))
                .findFirst()
                .orElseThrow()
                .malignant())
        .isEqualTo(1);
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
