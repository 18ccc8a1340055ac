package org.mammotriage.streams;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.mammotriage.contract.Slot;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ViewEncoding;

/**
 * What the assembly state keeps of an image that takes a slot. With a contract-2 model it is
 * encoded on arrival and only its encoding is kept (an encoding still being made ahead is put in at
 * the exam's release: {@link #awaiting}); with a contract-1 model (which scores from pixels) its
 * working image is kept. Either way the slot remembers where the image is in {@code
 * mammo.images.v1}, to encode it again after a model change. A slot with an encoding never gets
 * pixels again: {@link #withEncoding} is the one way an encoding enters a slot, and it drops them.
 */
final class SlotImages {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SlotImages.class);

  /**
   * Encode failure of an image whose record names a working image the image store does not have
   * (deleted by its retention, changed, or a store ingest does not share): the view is not scored.
   */
  static final String IMAGE_NOT_IN_STORE = "IMAGE_NOT_IN_STORE";

  private SlotImages() {}

  /**
   * The slot entry for an arriving image, encoded on the active model when that model encodes
   * views.
   *
   * @param partition the image's partition in mammo.images.v1, null when unknown
   * @param offset the image's offset there, null when unknown
   */
  static SlotImage arrive(
      ExamScoringService scorer, Slot slot, MammogramImage img, Integer partition, Long offset) {
    return arrive(scorer, slot, img, partition, offset, null, ImageStore.NONE);
  }

  /**
   * As {@link #arrive(ExamScoringService, Slot, MammogramImage, Integer, Long)}, using {@code
   * ahead} (this image's encoding made ahead by {@link EncodeAhead}, or null) when it is an
   * encoding on the model active now; otherwise (none, a failure, another model) the image is
   * encoded here, so what a slot holds does not depend on whether the image was encoded ahead. A
   * record that carries a reference instead of its PNG is read from {@code images}; an image the
   * store does not have leaves the slot with {@link #IMAGE_NOT_IN_STORE}, and a store that cannot
   * be read now throws {@link ImageStore.UnavailableException} (transient: the record is processed
   * again).
   */
  static SlotImage arrive(
      ExamScoringService scorer,
      Slot slot,
      MammogramImage img,
      Integer partition,
      Long offset,
      EncodeResult ahead,
      ImageStore images) {
    SlotImage.Builder b = entry(slot, img, partition, offset);
    if (usable(ahead, scorer)) {
      return withEncoding(b.build(), ahead.encoding());
    }
    byte[] png;
    try {
      png = images.pngOf(img);
    } catch (ImageStore.MissingImageException e) {
      LOG.warn(
          "image {}: its working image cannot be read: {}",
          img.getSopInstanceUid(),
          e.getMessage());
      return b.setEncodeFailure(IMAGE_NOT_IN_STORE).build();
    } catch (IOException e) {
      throw new ImageStore.UnavailableException(e);
    }
    EncodeResult r = scorer.encode(new ExamImage(slot, png, img.getSopInstanceUid()));
    if (r.encoded()) {
      return withEncoding(b.build(), r.encoding());
    }
    if (EncodeResult.MODEL_ENCODES_NO_VIEWS.equals(r.failure())) {
      return b.setPng(ByteBuffer.wrap(png)).build();
    }
    return b.setEncodeFailure(r.failure()).build();
  }

  /**
   * The slot entry for an arriving image whose encoding is being made ahead and is not done yet:
   * where the image is and what it is, no encoding, no pixels and no failure ({@link #awaiting}).
   * {@link ExamAssembler} puts the encoding in at the exam's release; a release without it (the
   * process stopped in between) reads the image back from the topic ({@link ReleaseScoring}).
   */
  static SlotImage awaiting(Slot slot, MammogramImage img, Integer partition, Long offset) {
    return entry(slot, img, partition, offset).build();
  }

  /** Whether the slot waits for its encoding: it has none, no pixels and no failure. */
  static boolean awaiting(SlotImage s) {
    return s.getEncoding() == null && s.getPng() == null && s.getEncodeFailure() == null;
  }

  private static SlotImage.Builder entry(
      Slot slot, MammogramImage img, Integer partition, Long offset) {
    return SlotImage.newBuilder()
        .setSlot(slot.name())
        .setSopInstanceUid(img.getSopInstanceUid())
        .setAcquisitionTime(
            img.getAcquisitionTime() == null ? null : img.getAcquisitionTime().toEpochMilli())
        .setInstanceNumber(img.getInstanceNumber())
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setSourceAe(bounded(img.getSourceAe()))
        .setManufacturer(bounded(img.getManufacturer()))
        .setManufacturerModel(bounded(img.getManufacturerModel()))
        .setPresentationIntent(bounded(img.getPresentationIntent()))
        .setPixelSpacingMm(
            img.getPixelSpacingMm() == null || img.getPixelSpacingMm().isEmpty()
                ? null
                : img.getPixelSpacingMm().get(0))
        .setOriginalRows(img.getOriginalRows())
        .setOriginalColumns(img.getOriginalColumns());
  }

  /** An encoding made ahead is used when it is one, on the model that is active now. */
  static boolean usable(EncodeResult ahead, ExamScoringService scorer) {
    return ahead != null && ahead.encoded() && ahead.model().id().equals(scorer.activeModel().id());
  }

  /** A header value as the state and the score record keep it: at most 64 characters. */
  static String bounded(CharSequence v) {
    if (v == null) {
      return null;
    }
    String s = v.toString().trim();
    return s.length() > 64 ? s.substring(0, 64) : s;
  }

  /** The slot with this encoding and no pixels (and no earlier failure). */
  static SlotImage withEncoding(SlotImage s, ViewEncoding e) {
    return SlotImage.newBuilder(s)
        .setEncoding(SlotEncodings.toState(e))
        .setPng(null)
        .setEncodeFailure(null)
        .build();
  }
}
