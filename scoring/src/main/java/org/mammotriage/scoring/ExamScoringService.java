package org.mammotriage.scoring;

import java.util.List;

/**
 * Scores assembled exams on the active model. Bad model output never throws: the exam comes back
 * unscorable with a reason. Implementations are thread-safe and reuse their sessions.
 *
 * <p>Two ways to score: {@link #score} from the exam's working images (any model contract), or, for
 * contract-2 models, {@link #encode} each image as it arrives and {@link #scoreEncoded} the exam
 * from the stored encodings when it is released.
 */
public interface ExamScoringService extends AutoCloseable {

  ScoreResult score(ExamInput exam);

  /** Scores several exams in one run where the implementation can; results in input order. */
  default List<ScoreResult> scoreBatch(List<ExamInput> exams) {
    return exams.stream().map(this::score).toList();
  }

  /**
   * Encodes one working image on the active model; with a contract-1 model the result is {@link
   * EncodeResult#MODEL_ENCODES_NO_VIEWS} (keep the image and {@link #score} the exam).
   */
  EncodeResult encode(ExamImage image);

  /**
   * Scores an exam from encodings that all come from the active model; otherwise the result is
   * unscorable with {@link ScoreResult#ENCODED_BY_OTHER_MODEL} and nothing ran.
   */
  ScoreResult scoreEncoded(String examKey, List<EncodedView> views);

  /** The model that scores the next exam. */
  ModelInfo activeModel();

  /** The execution provider in use: cuda or cpu. */
  String device();

  @Override
  void close();
}
