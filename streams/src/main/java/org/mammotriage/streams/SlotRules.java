package org.mammotriage.streams;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mammotriage.contract.Slot;

/**
 * How images are put into an exam's four slots (DESIGN §4): which slot an image fills (standard
 * views without modifiers, after the configured substitutions such as ML for MLO; anything else is
 * an extra view), which image is a duplicate (its SOP Instance UID was seen before), and which
 * image keeps a slot that two images claim (the later acquisition: acquisition time, then instance
 * number). The exam assembler and {@code mammotriage score} both decide by these rules, so a score
 * by hand is the one the running system gives.
 */
public final class SlotRules {
  /** Acquisition time first, then instance number; an absent value counts as the earliest. */
  private static final Comparator<Acquisition> LATER =
      Comparator.comparing(
              Acquisition::acquiredMs, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
          .thenComparing(
              Acquisition::instanceNumber,
              Comparator.nullsFirst(Comparator.<Integer>naturalOrder()));

  private final Map<String, String> substitutions;

  /**
   * @param substitutions view to the slot view it stands in for, upper case (e.g. ML to MLO)
   */
  public SlotRules(Map<String, String> substitutions) {
    this.substitutions = Map.copyOf(substitutions);
  }

  /** The rules with the settings' view substitutions. */
  public static SlotRules of(TriageSettings settings) {
    return new SlotRules(settings.substitutions());
  }

  /** When and in which order an image was taken: what decides between two images of a slot. */
  public record Acquisition(Long acquiredMs, Integer instanceNumber) {}

  /** What an image does to the slot it belongs to. */
  public enum Placement {
    /** The slot was empty: the image fills it. */
    FILLS,
    /** A later acquisition than the slot's image (a retake): the image replaces it. */
    REPLACES,
    /** An earlier acquisition than the slot's image: kept out. */
    EARLIER,
    /**
     * The same acquisition time and instance number as the slot's image: kept out, the first to
     * arrive keeps the slot.
     */
    SAME;

    /** True when the image is now the slot's. */
    public boolean takesSlot() {
      return this == FILLS || this == REPLACES;
    }
  }

  /** The slot an image fills; empty for an extra view (non-standard view or any view modifier). */
  public Optional<Slot> slotOf(String laterality, String view, List<String> modifiers) {
    if (!modifiers.isEmpty()) {
      return Optional.empty();
    }
    String v = view.toUpperCase(Locale.ROOT);
    return Slot.of(laterality, substitutions.getOrDefault(v, v));
  }

  /** The name an extra view is kept under in the exam: {@code L_XCCL}, {@code R_CC_SPOT}. */
  public String extraViewName(String laterality, String view, List<String> modifiers) {
    return laterality + "_" + view + (modifiers.isEmpty() ? "" : "_" + String.join("_", modifiers));
  }

  /** True when an image with this SOP Instance UID was seen before: it is ignored. */
  public boolean isDuplicate(Collection<String> seenSopInstanceUids, String sopInstanceUid) {
    return seenSopInstanceUids.contains(sopInstanceUid);
  }

  /**
   * What an image does to its slot.
   *
   * @param current the acquisition of the image in the slot, null when the slot is empty
   */
  public Placement place(Acquisition incoming, Acquisition current) {
    if (current == null) {
      return Placement.FILLS;
    }
    int c = LATER.compare(incoming, current);
    return c > 0 ? Placement.REPLACES : c < 0 ? Placement.EARLIER : Placement.SAME;
  }
}
