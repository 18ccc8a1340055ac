package org.mammotriage.training.data;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A patient's EMBED history from the clinical table: each exam's date, the dated cancers of each
 * breast (pathology severity 0 or 1) and the last date the patient was seen. See {@link
 * EmbedAdapter} for the labelling convention.
 */
final class EmbedHistory {
  /** What an exam's breast is labelled with; null fields are unknown. */
  record Outcome(boolean malignant, Double yearsToCancer, Double yearsToFollowup) {}

  private record Cancer(LocalDate date, String side) {}

  final Map<String, LocalDate> examDates = new HashMap<>();
  private final Map<String, List<Cancer>> cancers = new HashMap<>();
  private final Map<String, LocalDate> lastSeen = new HashMap<>();

  private EmbedHistory() {}

  static EmbedHistory of(Csv.Table clinical, Path file) {
    EmbedHistory h = new EmbedHistory();
    for (int i = 0; i < clinical.rows().size(); i++) {
      Map<String, String> c = clinical.rows().get(i);
      String where = file + " line " + clinical.lineNumbers().get(i);
      LocalDate exam = date(c.get("study_date_anon"), "study_date_anon", where);
      String patient = c.get("empi_anon");
      if (exam != null) {
        h.examDates.putIfAbsent(c.get("acc_anon"), exam);
        h.seen(patient, exam);
      }
      Integer sev = severity(c.getOrDefault("path_severity", ""));
      if (sev == null || sev > 1) {
        continue;
      }
      LocalDate proc = date(c.getOrDefault("procdate_anon", ""), "procdate_anon", where);
      LocalDate when = proc != null ? proc : exam;
      if (when == null) {
        throw new DataException(where + ": a cancer (path_severity " + sev + ") without any date");
      }
      h.seen(patient, when);
      String side = c.getOrDefault("bside", "").trim().toUpperCase(Locale.ROOT);
      if (!side.equals("L") && !side.equals("R")) {
        String s = c.getOrDefault("side", "").trim().toUpperCase(Locale.ROOT);
        side = s.equals("L") || s.equals("R") ? s : "B";
      }
      h.cancers.computeIfAbsent(patient, k -> new ArrayList<>()).add(new Cancer(when, side));
    }
    return h;
  }

  private void seen(String patient, LocalDate d) {
    lastSeen.merge(patient, d, (a, b) -> a.isAfter(b) ? a : b);
  }

  /**
   * The labels of {@code patient}'s breast {@code lat} at an exam on {@code exam}; null when that
   * breast's cancer was diagnosed before the exam (the image is left out).
   */
  Outcome outcome(String patient, String lat, LocalDate exam, int windowDays) {
    if (exam == null) {
      return new Outcome(false, null, null);
    }
    LocalDate first = null;
    for (Cancer c : cancers.getOrDefault(patient, List.of())) {
      if (!c.side().equals(lat) && !c.side().equals("B")) {
        continue;
      }
      if (c.date().isBefore(exam)) {
        return null;
      }
      first = first == null || c.date().isBefore(first) ? c.date() : first;
    }
    LocalDate last = lastSeen.getOrDefault(patient, exam);
    Double followup = years(exam, last.isBefore(exam) ? exam : last);
    if (first == null) {
      return new Outcome(false, null, followup);
    }
    boolean malignant = ChronoUnit.DAYS.between(exam, first) <= windowDays;
    return new Outcome(malignant, years(exam, first), followup);
  }

  private static double years(LocalDate from, LocalDate to) {
    return Math.round(ChronoUnit.DAYS.between(from, to) / 365.25 * 1e4) / 1e4;
  }

  private static final DateTimeFormatter US = DateTimeFormatter.ofPattern("M/d/yyyy");

  /** ISO {@code 2019-03-01} (a time after it is ignored) or {@code 3/1/2019}; blank is null. */
  static LocalDate date(String v, String column, String where) {
    if (v == null || v.isBlank()) {
      return null;
    }
    String s = v.trim();
    try {
      if (s.length() >= 10 && s.charAt(4) == '-') {
        return LocalDate.parse(s.substring(0, 10));
      }
      return LocalDate.parse(s.split(" ")[0], US);
    } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new DataException(
          where + ": " + column + " must be a date like 2019-03-01, got '" + v + "'", e);
    }
  }

  private static Integer severity(String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return (int) Math.round(Double.parseDouble(v.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
