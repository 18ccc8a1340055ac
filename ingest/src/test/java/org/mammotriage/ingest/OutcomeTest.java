package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mammotriage.ingest.dicom.DimseStatus;
import org.mammotriage.ingest.dicom.Reason;

class OutcomeTest {

  @Test
  void shouldAnswerSuccessForStoredAndDuplicateInstances() {
    assertThat(new Outcome(Outcome.Status.STORED, null, null, "1.2", "1.3").dimseStatus())
        .isEqualTo(DimseStatus.SUCCESS);
    assertThat(new Outcome(Outcome.Status.DUPLICATE, null, "seen", "1.2", "1.3").dimseStatus())
        .isEqualTo(DimseStatus.SUCCESS);
  }

  @Test
  void shouldAnswerTheStatusOfTheReasonForFailures() {
    assertThat(rejected(Reason.NOT_MG).dimseStatus().code()).isEqualTo(0xA900);
    assertThat(rejected(Reason.CORRUPT).dimseStatus().code()).isEqualTo(0xC000);
    assertThat(rejected(Reason.PUBLISH_REJECTED).dimseStatus().code()).isEqualTo(0x0110);
    Outcome down =
        new Outcome(Outcome.Status.TRANSIENT_FAILURE, Reason.KAFKA_UNAVAILABLE, "t", "1", "2");
    assertThat(down.dimseStatus().code()).isEqualTo(0xA700);
    assertThat(down.dimseStatus().senderShouldRetry()).isTrue();
  }

  @Test
  void shouldRefuseAReasonThatContradictsTheStatus() {
    assertThatThrownBy(() -> new Outcome(Outcome.Status.REJECTED, Reason.IO, "t", "1", "2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Outcome(Outcome.Status.TRANSIENT_FAILURE, Reason.CORRUPT, "t", "1", "2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Outcome(Outcome.Status.REJECTED, null, "t", "1", "2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Outcome(Outcome.Status.STORED, Reason.CORRUPT, null, "1", "2"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Outcome rejected(Reason r) {
    return new Outcome(Outcome.Status.REJECTED, r, "text", "1.2", "1.3");
  }
}
