package org.mammotriage.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingManifestTest {
  private static final String HEADER = String.join(",", TrainingManifest.COLUMNS);

  @Test
  void shouldReadTheSyntheticArchiveHeaderAndResolveImagesNextToTheManifest(@TempDir Path dir)
      throws Exception {
    // given
    Path m = dir.resolve("manifest.csv");
    Files.writeString(
        m,
        HEADER
            + "\n"
            + "P1,1.2.3,1.2.3.4,L,CC,study1/img1.dcm,52,3,4,1,0,1,2.5,6,train,ACME,2020-01-01\n"
            + "P1,1.2.3,1.2.3.5,R,MLO,study1/img2.dcm,52,3,1,0,0,0,,6,train,ACME,2020-01-01\n");
    // when
    TrainingManifest t = TrainingManifest.read(m);
    // then
    ManifestRow r = t.rows().get(0);
    assertThat(List.of(r.age(), r.density(), r.birads(), r.mass(), r.malignant()))
        .containsExactly(52, 3, 4, 1, 1);
    assertThat(r.yearsToCancer()).isEqualTo(2.5);
    assertThat(t.rows().get(1).yearsToCancer()).as("censored").isNull();
    assertThat(t.resolve(r)).isEqualTo(dir.resolve("study1/img1.dcm").toAbsolutePath());
    assertThat(t.rows("train")).hasSize(2);
    assertThat(t.patients()).containsExactly("P1");
  }

  @Test
  void shouldRejectABadRowNamingTheLineAndTheField(@TempDir Path dir) throws Exception {
    Path m = dir.resolve("manifest.csv");
    Files.writeString(
        m,
        HEADER
            + "\n"
            + "P1,1.2.3,1.2.3.4,L,CC,a.dcm,52,3,4,1,0,1,,,train,,\n"
            + "P1,1.2.3,1.2.3.5,X,CC,b.dcm,52,3,4,1,0,1,,,train,,\n");
    assertThatThrownBy(() -> TrainingManifest.read(m))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("laterality must be L or R");
    Files.writeString(m, HEADER + "\nP1,1.2.3,1.2.3.4,L,CC,a.dcm,52,7,4,1,0,1,,,train,,\n");
    assertThatThrownBy(() -> TrainingManifest.read(m)).hasMessageContaining("density must be 1-4");
    Files.writeString(m, "patient_id,view\nP1,CC\n");
    assertThatThrownBy(() -> TrainingManifest.read(m))
        .hasMessageContaining("missing column(s)")
        .hasMessageContaining("image_path");
  }

  @Test
  void shouldRoundTripRowsWithExtraColumns(@TempDir Path dir) {
    // given
    Map<String, String> extras = new HashMap<>();
    extras.put("race", "Asian, other");
    ManifestRow row =
        new ManifestRow(
            "P", "S", "I", "R", "MLO", "x/y.png", 40, 2, 1, 0, 1, -1, null, 3.0, "val", "", "",
            extras);
    Path m = dir.resolve("out/manifest.csv");
    // when
    TrainingManifest.write(m, List.of(row));
    TrainingManifest back = TrainingManifest.read(m);
    // then
    assertThat(back.rows()).containsExactly(row);
  }

  @Test
  void shouldKeepEveryPatientInOneSplitWithRoughlyTheAskedFractions() {
    PatientSplitter s = new PatientSplitter(0.7, 0.1, 42);
    int train = 0;
    int val = 0;
    for (int i = 0; i < 2000; i++) {
      String split = s.split("patient-" + i);
      assertThat(s.split("patient-" + i)).isEqualTo(split);
      train += split.equals("train") ? 1 : 0;
      val += split.equals("val") ? 1 : 0;
    }
    assertThat(train).isBetween(1300, 1500);
    assertThat(val).isBetween(140, 260);
    PatientSplitter other = new PatientSplitter(0.7, 0.1, 43);
    long moved =
        java.util.stream.IntStream.range(0, 200)
            .filter(i -> !other.split("patient-" + i).equals(s.split("patient-" + i)))
            .count();
    assertThat(moved).as("another seed gives another assignment").isPositive();
  }
}
