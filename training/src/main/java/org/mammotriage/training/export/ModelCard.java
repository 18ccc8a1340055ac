package org.mammotriage.training.export;

import java.util.Map;
import org.mammotriage.evaluation.thresholds.Thresholds;

/**
 * What {@code model.json} says about a model besides its files: identity, intended use, input
 * normalisation, thresholds with provenance and evaluation metrics.
 *
 * @param intendedUse free text; the synthetic demo model must say it is not for clinical use
 * @param metrics evaluation metrics on the set named in them
 */
public record ModelCard(
    String name,
    String version,
    String intendedUse,
    double normMean,
    double normStd,
    Thresholds thresholds,
    Map<String, Object> metrics) {}
