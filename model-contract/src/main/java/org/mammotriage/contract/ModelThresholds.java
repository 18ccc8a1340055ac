package org.mammotriage.contract;

/**
 * Routing thresholds of a model: suspicious (exam score at or above), low (below), risk5y (5-year
 * risk at or above), and how they were chosen (e.g. "suspicious at 90% sensitivity on validation
 * split of ...").
 */
public record ModelThresholds(double suspicious, double low, double risk5y, String provenance) {}
