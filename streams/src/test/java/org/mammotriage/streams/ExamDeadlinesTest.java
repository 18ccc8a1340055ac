package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.avro.ExamAssemblyState;

class ExamDeadlinesTest {
  static final long QUIET = 60_000;
  static final long RETENTION = 600_000;

  static ExamAssemblyState waiting(String study, long lastImageAt) {
    return ExamAssemblyState.newBuilder()
        .setStudyInstanceUid(study)
        .setPatientKey("pk")
        .setFirstImageAt(lastImageAt)
        .setLastImageAt(lastImageAt)
        .build();
  }

  static ExamAssemblyState released(String study, long lastImageAt, long releasedAt) {
    ExamAssemblyState st = waiting(study, lastImageAt);
    st.setVersion(1);
    st.setReleasedAt(releasedAt);
    return st;
  }

  @Test
  void shouldFileAWaitingExamAtItsQuietPeriodAndAReleasedOneAtItsRetention() {
    ExamDeadlines d = new ExamDeadlines(QUIET, RETENTION);
    assertThat(d.dueAt(waiting("a", 1_000))).isEqualTo(1_000 + QUIET);
    assertThat(d.dueAt(released("a", 1_000, 2_000))).isEqualTo(2_000 + RETENTION);
    ExamAssemblyState changed = released("a", 5_000, 2_000);
    changed.setChangedSinceRelease(true);
    assertThat(d.dueAt(changed)).as("changed after release: waits again").isEqualTo(5_000 + QUIET);
  }

  @Test
  void shouldSaturateInsteadOfWrappingIntoThePast() {
    ExamDeadlines d = new ExamDeadlines(Long.MAX_VALUE, Long.MAX_VALUE);
    assertThat(d.dueAt(waiting("a", 1_700_000_000_000L))).isEqualTo(Long.MAX_VALUE);
    assertThat(d.dueAt(released("a", 1, 1_700_000_000_000L))).isEqualTo(Long.MAX_VALUE);
    d.put("a", waiting("a", 1_700_000_000_000L));
    assertThat(d.due(1_800_000_000_000L)).isEmpty();
  }

  @Test
  void shouldAnswerOnlyWhatIsDueEarliestFirstAndRefileAnExamOnItsNextWrite() {
    ExamDeadlines d = new ExamDeadlines(QUIET, RETENTION);
    d.put("late", waiting("late", 3_000));
    d.put("early", waiting("early", 1_000));
    d.put("kept", released("kept", 0, 1_000));
    assertThat(d.due(QUIET + 500)).isEmpty();
    assertThat(d.due(QUIET + 3_000)).containsExactly("early", "late");
    d.put("early", waiting("early", 10_000)); // another image: due later
    assertThat(d.due(QUIET + 3_000)).containsExactly("late");
    assertThat(d.filedAt("early", 10_000 + QUIET)).isTrue();
    assertThat(d.filedAt("early", 1_000 + QUIET)).isFalse();
    d.remove("late");
    assertThat(d.due(Long.MAX_VALUE)).containsExactly("early", "kept");
    assertThat(d.size()).isEqualTo(2);
    d.clear();
    assertThat(d.size()).isZero();
    assertThat(d.due(Long.MAX_VALUE)).isEmpty();
  }
}
