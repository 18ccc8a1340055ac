package org.mammotriage.training.benchmark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;
import org.mammotriage.training.pretrain.PretrainData;

/**
 * Cuts the validation split in two by patient, so that no decision is tuned on the data it is then
 * judged by: {@code val} picks models (the supervised baseline's step, each probe's
 * regularisation), {@code val-threshold} picks operating thresholds. A patient's half is a hash of
 * its key, stable when rows are added or reordered.
 */
public final class ValidationHalves {
  /** The half that chooses thresholds. */
  public static final String THRESHOLD_SPLIT = "val-threshold";

  /** The half that chooses models (keeps the name every trainer reads). */
  public static final String SELECTION_SPLIT = "val";

  private ValidationHalves() {}

  /** The same data with each validation patient in one of the two halves. */
  public static PretrainData apply(PretrainData data) {
    TrainingManifest m = data.manifest();
    List<ManifestRow> rows = new ArrayList<>(m.rows().size());
    for (ManifestRow r : m.rows()) {
      rows.add(r.split().equals("val") ? r.withSplit(half(r.patientId())) : r);
    }
    return PretrainData.of(TrainingManifest.of(m.file(), rows));
  }

  /** {@link #SELECTION_SPLIT} or {@link #THRESHOLD_SPLIT} for a validation patient. */
  public static String half(String patientId) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update("validation-halves".getBytes(StandardCharsets.UTF_8));
      byte[] h = md.digest(patientId.getBytes(StandardCharsets.UTF_8));
      return (h[0] & 1) == 0 ? SELECTION_SPLIT : THRESHOLD_SPLIT;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
