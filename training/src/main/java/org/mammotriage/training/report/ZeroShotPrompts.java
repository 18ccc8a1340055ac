package org.mammotriage.training.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Class prompts for zero-shot classification (MaMA A.5): the unmasked meta prefix of the image's
 * own report followed by one class sentence per class, built from the same phrases as the training
 * reports.
 */
public final class ZeroShotPrompts {
  /** The zero-shot tasks; class index i is the label value i (density: label d-1). */
  public enum Task {
    MASS(2),
    CALCIFICATION(2),
    MALIGNANCY(2),
    DENSITY(4);

    private final int classes;

    Task(int classes) {
      this.classes = classes;
    }

    public int classes() {
      return classes;
    }
  }

  private ZeroShotPrompts() {}

  /** The class sentences of a task (without prefix). */
  public static List<String> classSentences(Task task) {
    return switch (task) {
      case MASS -> List.of(ReportTemplate.massSentence(0), ReportTemplate.massSentence(1));
      case CALCIFICATION ->
          List.of(
              ReportTemplate.calcificationSentence(0, ""),
              ReportTemplate.calcificationSentence(1, ""));
      case MALIGNANCY -> List.of(ReportTemplate.impression(1), ReportTemplate.impression(5));
      case DENSITY ->
          List.of(
              ReportTemplate.composition(1),
              ReportTemplate.composition(2),
              ReportTemplate.composition(3),
              ReportTemplate.composition(4));
    };
  }

  /** The full prompts for one image: prefix from its facts + each class sentence. */
  public static List<String> prompts(Task task, ReportFacts facts) {
    String prefix = ReportTemplate.metaPrefix(facts);
    List<String> out = new ArrayList<>();
    for (String s : classSentences(task)) {
      out.add(prefix + " " + s);
    }
    return out;
  }
}
