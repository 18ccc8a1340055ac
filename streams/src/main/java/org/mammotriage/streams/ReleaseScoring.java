package org.mammotriage.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mammotriage.contract.Slot;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.EncodedView;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ModelInfo;
import org.mammotriage.scoring.ScoreResult;

/**
 * Scores a released exam with exactly one model, the active one (the hot-model-change rule).
 *
 * <p>Contract-2 model: the exam head runs over the slots' stored encodings. A slot encoded by
 * another model (the model changed since the image arrived), or not encoded, is encoded again on
 * the active model from its working image: the one in the state (kept while a contract-1 model was
 * active), else the image read back from {@code mammo.images.v1} at its offset ({@link
 * ImageArchive}). The new encoding replaces the old one in the state and the pixels are dropped. If
 * the head finds an encoding of another model after all (the model changed again meanwhile), the
 * exam is encoded again on the new one, up to {@link #ATTEMPTS} times.
 *
 * <p>Contract-1 model: the whole-exam graph runs on the slots' working images, from the state or
 * read back from the topic; images read back are used for this score and not stored.
 *
 * <p>A slot whose pixels cannot be had (the topic no longer holds the image) makes the exam
 * unscorable with {@link #IMAGE_UNAVAILABLE}: it is routed as incomplete (read by standard
 * practice), never scored by a mix of models. A slot whose record names a working image the image
 * store does not have ({@link SlotImages#IMAGE_NOT_IN_STORE}) makes it unscorable with that code.
 */
final class ReleaseScoring {
  /** Unscorable reason: a slot needs encoding on the active model and its image cannot be read. */
  static final String IMAGE_UNAVAILABLE = "MODEL_CHANGED_IMAGE_UNAVAILABLE";

  /** Reason code of a release whose views were encoded again after a model change. */
  static final String REENCODED = "REENCODED_AFTER_MODEL_CHANGE";

  static final int ATTEMPTS = 3;

  private final ExamScoringService scorer;
  private final ImageArchive archive;
  private final ImageStore images;
  // set by pngOf: the last image read back was named by its record but not in the image store
  private boolean storeLacked;

  /** The score and how many views were encoded again (or read back) for it. */
  record Outcome(ScoreResult result, int reencoded) {}

  ReleaseScoring(ExamScoringService scorer, ImageArchive archive) {
    this(scorer, archive, ImageStore.NONE);
  }

  /** As above; records read back that carry a reference are read from {@code images}. */
  ReleaseScoring(ExamScoringService scorer, ImageArchive archive, ImageStore images) {
    this.scorer = scorer;
    this.archive = archive;
    this.images = images;
  }

  /** Scores the exam; may replace slots of {@code st} (fresh encodings, pixels dropped). */
  Outcome score(String study, ExamAssemblyState st) {
    Outcome last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ModelInfo active = scorer.activeModel();
      last = active.encodesViews() ? headOverEncodings(study, st, active) : wholeExam(study, st);
      if (!ScoreResult.ENCODED_BY_OTHER_MODEL.equals(last.result().unscorableReason())) {
        return last;
      }
    }
    return last;
  }

  private Outcome headOverEncodings(String study, ExamAssemblyState st, ModelInfo active) {
    List<SlotImage> slots = new ArrayList<>(st.getSlots());
    List<EncodedView> views = new ArrayList<>();
    int reencoded = 0;
    for (int i = 0; i < slots.size(); i++) {
      SlotImage s = slots.get(i);
      if (EncodeResult.UNDECODABLE_IMAGE.equals(s.getEncodeFailure())) {
        return new Outcome(unscorable(study, active, EncodeResult.UNDECODABLE_IMAGE), reencoded);
      }
      if (s.getEncoding() == null || !s.getEncoding().getModelId().equals(active.id())) {
        // encoded again after a model change: an encoding of another model, or pixels kept while a
        // contract-1 model was active (a slot that waited for an encoding made ahead when the
        // process stopped is encoded here for the first time)
        boolean again = s.getEncoding() != null || s.getPng() != null;
        storeLacked = false;
        Optional<byte[]> png = pixels(s);
        if (png.isEmpty()) {
          // an image the image store did not have on arrival is looked for once more here
          String why =
              storeLacked || SlotImages.IMAGE_NOT_IN_STORE.equals(s.getEncodeFailure())
                  ? SlotImages.IMAGE_NOT_IN_STORE
                  : IMAGE_UNAVAILABLE;
          return new Outcome(unscorable(study, active, why), reencoded);
        }
        EncodeResult r = scorer.encode(new ExamImage(slot(s), png.get(), s.getSopInstanceUid()));
        if (!r.encoded()) {
          if (EncodeResult.MODEL_ENCODES_NO_VIEWS.equals(r.failure())) {
            return new Outcome(unscorable(study, r.model(), ScoreResult.ENCODED_BY_OTHER_MODEL), 0);
          }
          return new Outcome(unscorable(study, r.model(), r.failure()), reencoded);
        }
        s = SlotImages.withEncoding(s, r.encoding());
        slots.set(i, s);
        if (again) {
          reencoded++;
        }
      }
      views.add(
          new EncodedView(
              slot(s), s.getSopInstanceUid(), SlotEncodings.fromState(s.getEncoding())));
    }
    st.setSlots(slots);
    return new Outcome(scorer.scoreEncoded(study, views), reencoded);
  }

  private Outcome wholeExam(String study, ExamAssemblyState st) {
    List<ExamImage> images = new ArrayList<>();
    int fetched = 0;
    for (SlotImage s : st.getSlots()) {
      if (s.getPng() == null) {
        fetched++;
      }
      Optional<byte[]> png = pixels(s);
      if (png.isEmpty()) {
        return new Outcome(unscorable(study, scorer.activeModel(), IMAGE_UNAVAILABLE), fetched);
      }
      images.add(new ExamImage(slot(s), png.get(), s.getSopInstanceUid()));
    }
    return new Outcome(scorer.score(new ExamInput(study, images)), fetched);
  }

  /** The slot's working image: from the state, else read back from the images topic. */
  private Optional<byte[]> pixels(SlotImage s) {
    if (s.getPng() != null) {
      return Optional.of(copy(s.getPng()));
    }
    if (s.getSourcePartition() == null || s.getSourceOffset() == null) {
      return Optional.empty();
    }
    return archive
        .fetch(s.getSourcePartition(), s.getSourceOffset())
        .filter(img -> img.getSopInstanceUid().equals(s.getSopInstanceUid()))
        .flatMap(this::pngOf);
  }

  /**
   * The record's PNG, read from the image store when it carries a reference; empty if gone (the
   * store not having it: {@link #storeLacked}).
   */
  private Optional<byte[]> pngOf(MammogramImage img) {
    try {
      return Optional.of(images.pngOf(img));
    } catch (ImageStore.MissingImageException e) {
      storeLacked = true;
      return Optional.empty();
    } catch (java.io.IOException e) {
      throw new ImageStore.UnavailableException(e);
    }
  }

  private ScoreResult unscorable(String study, ModelInfo model, String reason) {
    return new ScoreResult(
        study, false, reason, null, null, null, null, model, scorer.device(), 0.0);
  }

  private static Slot slot(SlotImage s) {
    return Slot.valueOf(s.getSlot());
  }

  static byte[] copy(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }
}
