package org.mammotriage.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReasonTest {

  @Test
  void shouldKeepEveryWireCodeAndItsDimseStatus() {
    // given: the codes DLQ records and metrics already carry, with the status each answers
    Map<String, Integer> pinned = new LinkedHashMap<>();
    pinned.put("NOT_MG", 0xA900);
    pinned.put("FOR_PROCESSING", 0xA900);
    pinned.put("SECONDARY_CAPTURE_NOT_ACCEPTED", 0xA900);
    pinned.put("UNSUPPORTED_SOP_CLASS", 0xA900);
    pinned.put("NO_LATERALITY", 0xA900);
    pinned.put("UNSUPPORTED_TRANSFER_SYNTAX", 0xA900);
    pinned.put("UNSUPPORTED_PIXEL_FORMAT", 0xA900);
    pinned.put("MISSING_UID", 0xA900);
    pinned.put("INVALID_UID", 0xA900);
    pinned.put("INVALID_PIXEL_MODULE", 0xA900);
    pinned.put("NOT_AN_IMAGE", 0xA900);
    pinned.put("LIMIT_EXCEEDED", 0xC000);
    pinned.put("TOO_LARGE", 0xC000);
    pinned.put("CORRUPT", 0xC000);
    pinned.put("PUBLISH_REJECTED", 0x0110);
    pinned.put("KAFKA_UNAVAILABLE", 0xA700);
    pinned.put("IMAGE_STORE_UNAVAILABLE", 0xA700);
    pinned.put("IO", 0xA700);
    pinned.put("SHUTTING_DOWN", 0xA700);

    // when
    Map<String, Integer> actual =
        Arrays.stream(Reason.values())
            .collect(
                Collectors.toMap(
                    Reason::code, r -> r.status().code(), (a, b) -> -1, LinkedHashMap::new));

    // then
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(pinned);
    assertThat(actual).as("codes are unique").hasSize(Reason.values().length);
  }

  @Test
  void shouldMakeOnlyOutOfResourcesReasonsTransient() {
    assertThat(Arrays.stream(Reason.values()).filter(Reason::isTransient))
        .containsExactlyInAnyOrder(
            Reason.KAFKA_UNAVAILABLE,
            Reason.IMAGE_STORE_UNAVAILABLE,
            Reason.IO,
            Reason.SHUTTING_DOWN)
        .allMatch(r -> r.status() == DimseStatus.OUT_OF_RESOURCES);
    assertThat(Reason.CORRUPT.isTransient()).isFalse();
  }

  @Test
  void shouldPrintTheWireCodeSoLogsAndCommentsReadAsBefore() {
    assertThat(Reason.SECONDARY_CAPTURE).hasToString("SECONDARY_CAPTURE_NOT_ACCEPTED");
    assertThat("x " + Reason.TOO_LARGE).isEqualTo("x TOO_LARGE");
  }

  @Test
  void shouldRefuseATransientReasonForARejection() {
    assertThatThrownBy(() -> new RejectedException(Reason.KAFKA_UNAVAILABLE, "down"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new RejectedException(Reason.CORRUPT, "truncated").reason())
        .isEqualTo(Reason.CORRUPT);
  }
}
