package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.Slot;
import org.mammotriage.streams.SlotRules.Acquisition;
import org.mammotriage.streams.SlotRules.Placement;

/** The rules the exam assembler and {@code mammotriage score} both put images into slots by. */
class SlotRulesTest {
  final SlotRules rules = new SlotRules(Map.of());

  @Test
  void shouldTreatAnImageWhoseSopInstanceUidWasSeenAsADuplicate() {
    // given
    List<String> seen = List.of("2.25.1", "2.25.2");

    // when / then
    assertThat(rules.isDuplicate(seen, "2.25.2")).isTrue();
    assertThat(rules.isDuplicate(seen, "2.25.3")).isFalse();
    assertThat(rules.isDuplicate(List.of(), "2.25.1")).isFalse();
  }

  @Test
  void shouldFillAnEmptySlotWhateverTheAcquisition() {
    assertThat(rules.place(new Acquisition(1_000L, 1), null)).isEqualTo(Placement.FILLS);
    assertThat(rules.place(new Acquisition(null, null), null)).isEqualTo(Placement.FILLS);
    assertThat(Placement.FILLS.takesSlot()).isTrue();
  }

  @Test
  void shouldReplaceASlotWithALaterAcquisitionTimeWhateverTheInstanceNumber() {
    // given
    Acquisition current = new Acquisition(1_000L, 5);

    // when
    Placement retake = rules.place(new Acquisition(2_000L, 1), current);
    Placement older = rules.place(new Acquisition(500L, 9), current);

    // then
    assertThat(retake).isEqualTo(Placement.REPLACES);
    assertThat(retake.takesSlot()).isTrue();
    assertThat(older).isEqualTo(Placement.EARLIER);
    assertThat(older.takesSlot()).isFalse();
  }

  @Test
  void shouldDecideByInstanceNumberWhenTheAcquisitionTimesAreTheSame() {
    // given
    Acquisition current = new Acquisition(1_000L, 5);

    // when / then
    assertThat(rules.place(new Acquisition(1_000L, 6), current)).isEqualTo(Placement.REPLACES);
    assertThat(rules.place(new Acquisition(1_000L, 4), current)).isEqualTo(Placement.EARLIER);
  }

  @Test
  void shouldKeepTheFirstImageWhenAcquisitionTimeAndInstanceNumberAreTheSame() {
    Placement p = rules.place(new Acquisition(1_000L, 5), new Acquisition(1_000L, 5));

    assertThat(p).isEqualTo(Placement.SAME);
    assertThat(p.takesSlot()).isFalse();
    assertThat(rules.place(new Acquisition(null, null), new Acquisition(null, null)))
        .isEqualTo(Placement.SAME);
  }

  @Test
  void shouldCountAnAbsentAcquisitionTimeOrInstanceNumberAsTheEarliest() {
    // an image without an acquisition time loses to any with one, whatever its instance number
    assertThat(rules.place(new Acquisition(null, 99), new Acquisition(1L, 1)))
        .isEqualTo(Placement.EARLIER);
    assertThat(rules.place(new Acquisition(1L, 1), new Acquisition(null, 99)))
        .isEqualTo(Placement.REPLACES);
    // with the same time, one without an instance number loses to one with
    assertThat(rules.place(new Acquisition(1_000L, null), new Acquisition(1_000L, 1)))
        .isEqualTo(Placement.EARLIER);
    assertThat(rules.place(new Acquisition(1_000L, 1), new Acquisition(1_000L, null)))
        .isEqualTo(Placement.REPLACES);
  }

  @Test
  void shouldSlotTheFourStandardViewsWithoutModifiers() {
    assertThat(rules.slotOf("L", "CC", List.of())).contains(Slot.L_CC);
    assertThat(rules.slotOf("L", "MLO", List.of())).contains(Slot.L_MLO);
    assertThat(rules.slotOf("R", "cc", List.of())).as("view in any case").contains(Slot.R_CC);
    assertThat(rules.slotOf("R", "MLO", List.of())).contains(Slot.R_MLO);
  }

  @Test
  void shouldKeepExtraAndModifiedViewsOutOfTheSlotsUnderTheirOwnName() {
    // non-standard view
    assertThat(rules.slotOf("L", "XCCL", List.of())).isEmpty();
    assertThat(rules.extraViewName("L", "XCCL", List.of())).isEqualTo("L_XCCL");
    // a standard view with a modifier
    List<String> spot = List.of("SPOT_COMPRESSION");
    assertThat(rules.slotOf("R", "CC", spot)).isEmpty();
    assertThat(rules.extraViewName("R", "CC", spot)).isEqualTo("R_CC_SPOT_COMPRESSION");
    assertThat(rules.extraViewName("R", "CC", List.of("SPOT", "MAG"))).isEqualTo("R_CC_SPOT_MAG");
    // no laterality: no slot
    assertThat(rules.slotOf("B", "CC", List.of())).isEmpty();
  }

  @Test
  void shouldSlotASubstitutedViewOnlyWhenTheSubstitutionIsConfigured() {
    // given
    SlotRules withMl =
        SlotRules.of(TriageSettings.defaults().withSubstitutions(Map.of("ML", "MLO")));

    // when / then
    assertThat(rules.slotOf("L", "ML", List.of())).as("by default an extra view").isEmpty();
    assertThat(withMl.slotOf("L", "ML", List.of())).contains(Slot.L_MLO);
    assertThat(withMl.slotOf("R", "ml", List.of())).contains(Slot.R_MLO);
    assertThat(withMl.slotOf("L", "ML", List.of("SPOT_COMPRESSION")))
        .as("a modified view stays an extra view after substitution")
        .isEmpty();
    assertThat(withMl.slotOf("L", "CC", List.of())).contains(Slot.L_CC);
  }
}
