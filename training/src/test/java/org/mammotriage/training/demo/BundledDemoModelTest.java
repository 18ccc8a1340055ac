package org.mammotriage.training.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamRecord;

/**
 * The committed demo model ({@code models/demo-synthetic}) loads in the scoring module's {@link
 * ModelDirectory} without changes, scores real working images of a fresh synthetic exam, says it is
 * synthetic, and carries its evaluation report.
 */
class BundledDemoModelTest {
  static final Path DIR = Path.of("..", "models", "demo-synthetic");

  @Test
  void shouldLoadInScoringAndScoreARealExamWithAWarningThatItIsSynthetic(@TempDir Path tmp)
      throws Exception {
    try (var loaded = ModelDirectory.load(DIR, "cpu", false, 1)) {
      assertThat(loaded.info().intendedUse()).contains("SYNTHETIC", "NOT for clinical use");
    }
    Path archive = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(2, 8).withScale(0.05)).generate(archive);
    ExamRecord exam = ExamManifest.read(archive.resolve("manifest.csv")).get(0);
    List<ExamImage> images = new ArrayList<>();
    for (Slot s : Slot.values()) {
      Path p = exam.images()[s.ordinal()];
      if (p != null && s != Slot.R_MLO) { // one view missing: the model still scores
        AttributeList list = new AttributeList();
        list.read(p.toFile());
        images.add(new ExamImage(s, Preprocessor.defaults().process(list).png(), "sop" + s));
      }
    }
    try (OnnxExamScorer scorer = new OnnxExamScorer(DIR, "cpu", false, 0, 1, 0)) {
      ScoreResult r = scorer.score(new ExamInput("exam-1", images));

      assertThat(r.scorable()).as(r.unscorableReason()).isTrue();
      assertThat(r.malignancyLeft()).isBetween(0.0, 1.0);
      assertThat(r.malignancyRight()).isBetween(0.0, 1.0);
      assertThat(r.risk()).hasSize(5);
      for (int y = 1; y < 5; y++) {
        assertThat(r.risk()[y]).isGreaterThanOrEqualTo(r.risk()[y - 1]);
      }
      assertThat(r.model().id()).contains("demo-synthetic");
    }
  }

  @Test
  void shouldShipItsEvaluationReportWithTheMetricsItsModelJsonQuotes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode model = json.readTree(DIR.resolve("model.json").toFile());
    JsonNode eval = json.readTree(DIR.resolve("evaluation.json").toFile());
    String html = Files.readString(DIR.resolve("evaluation.html"));

    assertThat(html).contains("<svg", "SYNTHETIC");
    assertThat(model.at("/metrics/exam_auc/estimate").asDouble())
        .isEqualTo(eval.at("/result/examAuc/estimate").asDouble());
    assertThat(model.at("/metrics/c_index").asDouble()).isBetween(0.0, 1.0);
    assertThat(Files.readString(DIR.resolve("README.md"))).contains("NOT for clinical use");
  }
}
