package org.mammotriage.training.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.training.data.DataException;

class ExamManifestTest {
  private static final String HEADER =
      "patient_id,study_uid,laterality,view,image_path,malignant,years_to_cancer,"
          + "years_to_last_followup,split";

  @Test
  void shouldGroupImagesIntoExamsWithSlotsCancerAndTheEarliestEvent(@TempDir Path dir)
      throws Exception {
    // given: one exam with four views (cancer in the right breast at 2.5 y, a later one left at
    // 4 y), a second image for L CC (ignored), an extra view (not slotted), and an exam with only
    // an extra view (dropped)
    Path m = dir.resolve("sub").resolve("manifest.csv");
    Files.createDirectories(m.getParent());
    Files.writeString(
        m,
        String.join(
            "\n",
            HEADER,
            "p1,s1,L,CC,img/l_cc.png,0,4,6,test",
            "p1,s1,L,MLO,img/l_mlo.png,0,4,6,test",
            "p1,s1,R,CC,img/r_cc.png,1,2.5,6,test",
            "p1,s1,R,MLO,img/r_mlo.png,1,2.5,6,test",
            "p1,s1,L,CC,img/l_cc_again.png,0,4,6,test",
            "p1,s1,L,XCCL,img/l_xccl.png,0,4,6,test",
            "p2,s2,R,XCCL,img/x.png,0,,3,val",
            ""));

    // when
    List<ExamRecord> exams = ExamManifest.read(m);

    // then
    assertThat(exams).hasSize(1);
    ExamRecord e = exams.get(0);
    assertThat(e.studyUid()).isEqualTo("s1");
    assertThat(e.patientId()).isEqualTo("p1");
    assertThat(e.split()).isEqualTo("test");
    assertThat(e.breastMalignant()).containsExactly(false, true);
    assertThat(e.outcome().yearsToCancer()).isEqualTo(2.5);
    assertThat(e.outcome().yearsToFollowup()).isEqualTo(6.0);
    assertThat(e.images()[Slot.L_CC.ordinal()])
        .isEqualTo(m.getParent().resolve("img/l_cc.png").toAbsolutePath().normalize());
    for (Slot s : Slot.values()) {
      assertThat(e.present(s)).as("%s", s).isTrue();
    }
  }

  @Test
  void shouldNameTheMissingOutcomeColumnAndTheBadLine(@TempDir Path dir) throws Exception {
    Path noOutcome = dir.resolve("a.csv");
    Files.writeString(
        noOutcome,
        "patient_id,study_uid,laterality,view,image_path,split\np1,s1,L,CC,x.png,train\n");
    assertThatThrownBy(() -> ExamManifest.read(noOutcome))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("malignant");

    Path badSide = dir.resolve("b.csv");
    Files.writeString(
        badSide, HEADER + "\np1,s1,L,CC,x.png,0,,2,test\np1,s1,Q,CC,y.png,0,,2,test\n");
    assertThatThrownBy(() -> ExamManifest.read(badSide))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("laterality");
  }
}
