package org.mammotriage.training.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;

/** The domain of the bundled demo model computed on a small synthetic archive. */
class DomainReferenceBuilderTest {
  static final Path DEMO = Path.of("../models/demo-synthetic");
  @TempDir Path tmp;

  @Test
  void shouldFitTheReferenceOnTrainChooseItsThresholdOnValAndFlagInvertedImagesByTheirStatistics()
      throws Exception {
    Path arch = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(30, 7).withScale(0.05).withThreads(2)).generate(arch);
    TrainingManifest m = TrainingManifest.read(arch.resolve("manifest.csv"));
    try (ImageEncoderRunner enc = new ImageEncoderRunner(DEMO)) {
      DomainReferenceBuilder.Result r =
          new DomainReferenceBuilder(0.1, 0.05).build(enc, m, s -> {});

      OodReference ood = r.domain().ood();
      assertThat(ood.featureDim()).isEqualTo(64);
      assertThat(r.fitViews()).isEqualTo(m.rows("train").size());
      assertThat(r.domain().manufacturers()).allMatch(v -> v.startsWith("MammoTriage Synthetic"));
      assertThat(r.domain().presentationIntents()).containsExactly("FOR PRESENTATION");
      long valExams = m.rows("val").stream().map(ManifestRow::studyUid).distinct().count();
      long above =
          m.rows("val").stream()
              .filter(row -> out(enc, ood, m, row, false))
              .map(ManifestRow::studyUid)
              .distinct()
              .count();
      assertThat(above)
          .as("val exams with a view above the threshold (chosen at an exam-level rate of 0.05)")
          .isLessThanOrEqualTo((long) Math.ceil(0.05 * valExams) + 1);
      assertThat(r.domain().reference().histograms())
          .containsKeys("suspicion", "ood_score", "image_mean", "image_std");
      assertThat(r.domain().reference().histograms().get("suspicion").counts())
          .as("one suspicion per val exam")
          .matches(c -> java.util.Arrays.stream(c).sum() == valExams);
      // the image statistics check alone catches inversion too (DomainShiftTest: the OOD check)
      List<Boolean> inverted = new ArrayList<>();
      for (ManifestRow row : m.rows("test")) {
        WorkingImage wi = working(m, row);
        byte[] g = wi.gray().clone();
        for (int i = 0; i < g.length; i++) {
          g[i] = (byte) (255 - (g[i] & 0xff));
        }
        double[] ms =
            org.mammotriage.contract.domain.InputStatistics.ofPrepared(
                enc.prepare(g, wi.rows(), wi.cols()),
                enc.manifest().normMean(),
                enc.manifest().normStd());
        inverted.add(!r.domain().imageReasons(ms[0], ms[1]).isEmpty());
      }
      assertThat(inverted.stream().filter(b -> b).count())
          .as("inverted test views flagged by image statistics")
          .isGreaterThanOrEqualTo((long) Math.ceil(0.95 * inverted.size()));
    }
  }

  static WorkingImage working(TrainingManifest m, ManifestRow row) throws Exception {
    com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
    l.read(m.resolve(row).toFile());
    return Preprocessor.defaults().process(l);
  }

  static boolean out(
      ImageEncoderRunner enc,
      OodReference ood,
      TrainingManifest m,
      ManifestRow row,
      boolean invert) {
    try {
      com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
      l.read(m.resolve(row).toFile());
      WorkingImage wi = Preprocessor.defaults().process(l);
      byte[] g = wi.gray().clone();
      if (invert) {
        for (int i = 0; i < g.length; i++) {
          g[i] = (byte) (255 - (g[i] & 0xff));
        }
      }
      return ood.outOfDomain(enc.embed(g, wi.rows(), wi.cols()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
