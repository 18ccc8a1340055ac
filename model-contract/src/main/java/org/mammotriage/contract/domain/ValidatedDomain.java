package org.mammotriage.contract.domain;

import java.util.List;
import java.util.Locale;

/**
 * What a model was validated on (DESIGN §5, §9), as {@code model.json}'s {@code domain} section:
 * header checks (manufacturers and models, presentation intent, pixel spacing and original image
 * size ranges), the working images' statistics, and an {@link OodReference} on the embeddings.
 * Empty lists and null ranges mean "not checked".
 *
 * @param imageMean range of the working image's mean gray value (0..1) on the validation views
 * @param imageStd range of the working image's gray standard deviation (0..1)
 * @param reference the validation set's histograms for drift monitoring, or null
 * @param how in words: from which set and how the ranges were taken
 */
public record ValidatedDomain(
    List<String> manufacturers,
    List<String> manufacturerModels,
    List<String> presentationIntents,
    Range pixelSpacingMm,
    Range originalRows,
    Range originalColumns,
    Range imageMean,
    Range imageStd,
    OodReference ood,
    DriftReference reference,
    String how) {

  public ValidatedDomain {
    manufacturers = List.copyOf(manufacturers);
    manufacturerModels = List.copyOf(manufacturerModels);
    presentationIntents = List.copyOf(presentationIntents);
  }

  /**
   * Header reason codes of one image: {@code VENDOR_NOT_VALIDATED}, {@code MODEL_NOT_VALIDATED},
   * {@code PRESENTATION_INTENT_NOT_VALIDATED}, {@code PIXEL_SPACING_OUTSIDE_DOMAIN}, {@code
   * IMAGE_SIZE_OUTSIDE_DOMAIN}; empty when the header is inside the domain. A missing header value
   * fails the check it is needed for.
   */
  public List<String> headerReasons(
      String manufacturer,
      String manufacturerModel,
      String presentationIntent,
      Double pixelSpacingMm,
      int originalRows,
      int originalColumns) {
    List<String> out = new java.util.ArrayList<>();
    if (!manufacturers.isEmpty() && !containsIgnoreCase(manufacturers, manufacturer)) {
      out.add("VENDOR_NOT_VALIDATED");
    }
    if (!manufacturerModels.isEmpty()
        && !containsIgnoreCase(manufacturerModels, manufacturerModel)) {
      out.add("MODEL_NOT_VALIDATED");
    }
    if (!presentationIntents.isEmpty()
        && !containsIgnoreCase(presentationIntents, presentationIntent)) {
      out.add("PRESENTATION_INTENT_NOT_VALIDATED");
    }
    if (this.pixelSpacingMm != null
        && (pixelSpacingMm == null || !this.pixelSpacingMm.contains(pixelSpacingMm))) {
      out.add("PIXEL_SPACING_OUTSIDE_DOMAIN");
    }
    if (this.originalRows != null && !this.originalRows.contains(originalRows)
        || this.originalColumns != null && !this.originalColumns.contains(originalColumns)) {
      out.add("IMAGE_SIZE_OUTSIDE_DOMAIN");
    }
    return out;
  }

  /**
   * {@code IMAGE_STATISTICS_OUTSIDE_DOMAIN} when the model input's mean or std gray ({@link
   * InputStatistics}) is outside.
   */
  public List<String> imageReasons(double mean, double std) {
    boolean out =
        imageMean != null && !imageMean.contains(mean)
            || imageStd != null && !imageStd.contains(std);
    return out ? List.of("IMAGE_STATISTICS_OUTSIDE_DOMAIN") : List.of();
  }

  private static boolean containsIgnoreCase(List<String> list, String v) {
    if (v == null) {
      return false;
    }
    String t = v.trim().toLowerCase(Locale.ROOT);
    return list.stream().anyMatch(s -> s.trim().toLowerCase(Locale.ROOT).equals(t));
  }
}
