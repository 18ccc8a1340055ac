package org.mammotriage.scoring;

import java.util.List;

/**
 * Scores assembled exams on the active model. Bad model output never throws: the exam comes back
 * unscorable with a reason. Implementations are thread-safe and reuse their sessions.
 */
public interface ExamScoringService extends AutoCloseable {

  ScoreResult score(ExamInput exam);

  /** Scores several exams in one run where the implementation can; results in input order. */
  default List<ScoreResult> scoreBatch(List<ExamInput> exams) {
    return exams.stream().map(this::score).toList();
  }

  /** The model that scores the next exam. */
  ModelInfo activeModel();

  @Override
  void close();
}
