package org.mammotriage.synth;

import java.time.LocalDate;
import java.util.List;

/**
 * A synthetic screening participant. {@code latentRisk} is a standard-normal factor that raises the
 * cancer hazard and leaves a subtle texture pattern in the images (so a risk model has something to
 * learn).
 */
public record Patient(
    String patientId,
    String name,
    LocalDate birthDate,
    int density,
    double latentRisk,
    String manufacturerKey,
    List<Exam> exams) {}
