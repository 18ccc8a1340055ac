package org.mammotriage.ingest.dicom;

import java.util.List;

/**
 * What an accepted instance is: laterality L/R, view (CC, MLO, or the raw view for anything else),
 * view modifiers, and whether it may fill one of the four exam slots (standard view without
 * modifiers).
 */
public record Classification(
    String laterality, String view, List<String> modifiers, boolean slottable) {}
