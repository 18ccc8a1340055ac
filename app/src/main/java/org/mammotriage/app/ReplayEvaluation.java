package org.mammotriage.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.ExamEvaluation;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.evaluation.survival.SurvivalOutcome;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.schemas.avro.TriageDecision;

/**
 * Joins the decisions of a replay with the archive's truth and evaluates them with exactly the code
 * {@code ./run train eval} uses ({@link ExamEvaluation}): thresholds chosen on the validation
 * exams, metrics on the test exams; plus what the stream itself did per category.
 */
public final class ReplayEvaluation {
  /** The truth of one exam, built from its per-breast rows as the training manifest reader does. */
  /**
   * @param patientId the woman the exam belongs to (the study uid when the file has no patient_id
   *     column): confidence intervals resample patients
   */
  public record Truth(String patientId, String split, boolean[] cancer, SurvivalOutcome outcome) {}

  private ReplayEvaluation() {}

  /** Reads {@code truth.csv} (or a training manifest: the same columns). */
  public static Map<String, Truth> readTruth(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IOException(csv + " is empty; expected the truth.csv of a synthetic archive");
    }
    List<String> h = List.of(lines.get(0).split(","));
    for (String c :
        List.of(
            "study_uid",
            "laterality",
            "malignant",
            "years_to_cancer",
            "years_to_last_followup",
            "split")) {
      if (!h.contains(c)) {
        throw new IOException(
            csv + " has no column '" + c + "'; give the truth.csv of the archive");
      }
    }
    Map<String, String> split = new HashMap<>();
    Map<String, String> patient = new HashMap<>();
    int patientCol = h.indexOf("patient_id");
    Map<String, boolean[]> cancer = new HashMap<>();
    Map<String, double[]> time = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      String study = f[h.indexOf("study_uid")];
      split.put(study, f[h.indexOf("split")]);
      patient.put(study, patientCol < 0 ? study : f[patientCol]);
      boolean[] c = cancer.computeIfAbsent(study, k -> new boolean[2]);
      int breast = "R".equals(f[h.indexOf("laterality")]) ? 1 : 0;
      if ("1".equals(f[h.indexOf("malignant")].trim())) {
        c[breast] = true;
      }
      double[] t = time.computeIfAbsent(study, k -> new double[] {Double.NaN, Double.NaN});
      double ytc = number(f[h.indexOf("years_to_cancer")]);
      double fu = number(f[h.indexOf("years_to_last_followup")]);
      // the exam's event is the earliest cancer in either breast; follow-up the longest
      if (!Double.isNaN(ytc) && (Double.isNaN(t[0]) || ytc < t[0])) {
        t[0] = ytc;
      }
      if (!Double.isNaN(fu) && (Double.isNaN(t[1]) || fu > t[1])) {
        t[1] = fu;
      }
    }
    Map<String, Truth> out = new LinkedHashMap<>();
    time.forEach(
        (s, t) ->
            out.put(
                s,
                new Truth(
                    patient.get(s),
                    split.get(s),
                    cancer.get(s),
                    new SurvivalOutcome(t[0], Double.isNaN(t[1]) ? 0 : t[1]))));
    return out;
  }

  private static double number(String s) {
    return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.trim());
  }

  /** The latest version of each exam's decision, as a prediction with its truth. */
  public static List<ExamPrediction> predictions(
      Map<String, List<TriageDecision>> decisions, Map<String, Truth> truth) {
    List<ExamPrediction> out = new ArrayList<>();
    for (Map.Entry<String, Truth> e : truth.entrySet()) {
      List<TriageDecision> ds = decisions.get(e.getKey());
      if (ds == null || ds.isEmpty()) {
        continue;
      }
      TriageDecision d =
          ds.stream().max((a, b) -> Integer.compare(a.getExamVersion(), b.getExamVersion())).get();
      if (d.getSuspicion() == null || d.getRisk().size() < 5) {
        continue; // unscorable: reported separately, not evaluated
      }
      double[] risk = d.getRisk().stream().mapToDouble(Double::doubleValue).toArray();
      // a breast with no views scores 0, as the exported scorer's masked maximum gives
      double[] mal = {
        d.getMalignancyLeft() == null ? 0 : d.getMalignancyLeft(),
        d.getMalignancyRight() == null ? 0 : d.getMalignancyRight()
      };
      out.add(
          new ExamPrediction(
              e.getKey(),
              e.getValue().patientId(),
              e.getValue().split(),
              mal,
              risk,
              e.getValue().cancer(),
              e.getValue().outcome()));
    }
    return out;
  }

  public static EvaluationResult evaluate(List<ExamPrediction> all, String name) {
    List<ExamPrediction> val = all.stream().filter(p -> p.split().equals("val")).toList();
    List<ExamPrediction> test = all.stream().filter(p -> p.split().equals("test")).toList();
    if (test.isEmpty()) {
      test = all;
    }
    String valName = "validation split of " + name + " (" + val.size() + " exams)";
    if (val.stream().noneMatch(ExamPrediction::examCancer)) {
      // thresholds need cancers to aim at; a small archive may have none in its validation split
      val = all;
      valName =
          "all "
              + all.size()
              + " exams of "
              + name
              + " (its validation split has no cancer, so thresholds were chosen on every exam)";
    }
    return ExamEvaluation.evaluate(
        val,
        valName,
        test,
        "test split of " + name + " (" + test.size() + " exams)",
        ThresholdSelector.defaults());
  }

  /** Per stream category on the test exams: exams, cancers, share of all cancers. */
  static List<List<?>> categories(
      Map<String, List<TriageDecision>> decisions, List<ExamPrediction> test) {
    Map<String, int[]> m = new LinkedHashMap<>();
    for (String c : DemoReport.CATEGORIES) {
      m.put(c, new int[2]);
    }
    int cancers = 0;
    for (ExamPrediction p : test) {
      List<TriageDecision> ds = decisions.get(p.studyUid());
      TriageDecision d =
          ds.stream().max((a, b) -> Integer.compare(a.getExamVersion(), b.getExamVersion())).get();
      int[] c = m.computeIfAbsent(d.getCategory(), k -> new int[2]);
      c[0]++;
      if (p.examCancer()) {
        c[1]++;
        cancers++;
      }
    }
    List<List<?>> rows = new ArrayList<>();
    int n = test.size();
    for (Map.Entry<String, int[]> e : m.entrySet()) {
      int[] c = e.getValue();
      rows.add(
          List.of(
              e.getKey(),
              c[0],
              c[1],
              n == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3f", c[0] / (double) n),
              cancers == 0
                  ? "-"
                  : String.format(java.util.Locale.ROOT, "%.3f", c[1] / (double) cancers)));
    }
    return rows;
  }
}
