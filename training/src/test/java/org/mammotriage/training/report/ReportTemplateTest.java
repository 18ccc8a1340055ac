package org.mammotriage.training.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mammotriage.training.data.ManifestRow;

class ReportTemplateTest {
  private static ManifestRow row(String lat, int mass, int calc, int birads) {
    return new ManifestRow(
        "P1",
        "S1",
        "I1",
        lat,
        "CC",
        "a.png",
        57,
        3,
        birads,
        mass,
        calc,
        0,
        null,
        null,
        "train",
        "",
        "",
        Map.of(
            "race",
            "Asian",
            "ethnicity",
            "Non-Hispanic",
            "mass_shape",
            "irregular",
            "mass_margin",
            "spiculated",
            "calc_distribution",
            "grouped"));
  }

  @Test
  void shouldFillAllEightSectionsFromTheTabularData() {
    // given
    ReportFacts f = ReportFacts.of(row("L", 1, 1, 4));
    // when
    List<String> s = ReportTemplate.sections(f, MetaMasking.none());
    // then
    assertThat(s).hasSize(8);
    assertThat(s.get(0)).isEqualTo("Procedure reported: screening mammography.");
    assertThat(s.get(1)).isEqualTo("Reason for procedure: screening.");
    assertThat(s.get(2))
        .isEqualTo("Patient info: This patient is Asian, Non-Hispanic, and 57 years old.");
    assertThat(s.get(3))
        .isEqualTo(
            "Image info: This is a 2D full-field digital mammogram of the left breast with "
                + "craniocaudal and mediolateral oblique view.");
    assertThat(s.get(4))
        .isEqualTo(
            "Breast composition: The breast is heterogeneously dense, which may obscure small "
                + "masses.");
    assertThat(s.get(5))
        .isEqualTo(
            "Findings: The mammogram shows that there is a mass. The mass is irregular and "
                + "spiculated. A grouped calcification is present.");
    assertThat(s.get(6)).isEqualTo("Impressions: BI-RADS Category 4: suspicious.");
    assertThat(s.get(7)).isEqualTo("Overall Assessment: suspicious.");
  }

  @Test
  void shouldDescribeANegativeBreastAndUnknownValues() {
    ManifestRow r =
        new ManifestRow(
            "P1", "S1", "I1", "R", "MLO", "a.png", null, null, null, 0, 0, 0, null, null, "train",
            "", "", Map.of());
    String text = ReportTemplate.render(ReportFacts.of(r), MetaMasking.none());
    assertThat(text)
        .contains("This patient is unknown, unknown, and unknown years old.")
        .contains("of the right breast")
        .contains("The breast is of unknown density.")
        .contains("there is no mass.")
        .contains("No calcification is present.")
        .contains("BI-RADS Category unknown: unknown.")
        .doesNotContain("The mass is");
  }

  @Test
  void shouldWriteWhatTheReaderReportedNotTheTruthWhenTheManifestCarriesIt() {
    // truth: a mass and calcifications, BI-RADS 5, density 3; the reader saw no mass, left the
    // calcification field blank (findings section missing) and the impression out
    ManifestRow r =
        new ManifestRow(
            "P1",
            "S1",
            "I1",
            "L",
            "CC",
            "a.png",
            57,
            3,
            5,
            1,
            1,
            1,
            null,
            null,
            "train",
            "",
            "",
            Map.of(
                "report_mass", "0",
                "report_calcification", "-1",
                "report_birads", "",
                "report_density", "2"));

    String text = ReportTemplate.render(ReportFacts.of(r), MetaMasking.none());

    assertThat(text)
        .contains("there is no mass")
        .contains("Calcification is unknown")
        .contains("BI-RADS Category unknown")
        .contains(ReportTemplate.densityDescription(2))
        .doesNotContain("highly suggestive");
  }

  @Test
  void shouldNeverMaskInEvaluationAndAlwaysMaskWithProbabilityOne() {
    ReportFacts f = ReportFacts.of(row("L", 0, 0, 1));
    String none = ReportTemplate.render(f, MetaMasking.none());
    String all = ReportTemplate.render(f, MetaMasking.training(1.0, new Random(1)));
    assertThat(none).doesNotContain("unknown");
    assertThat(all)
        .contains("This patient is unknown, unknown, and unknown years old.")
        .contains(
            "This is a unknown full-field digital mammogram of the unknown breast with unknown view.");
    // findings and impressions are never masked: they are what the model must learn
    assertThat(all).contains("there is no mass.").contains("BI-RADS Category 1: negative.");
  }

  @Test
  void shouldMaskEachMetaFieldIndependentlyAtAboutTheGivenRate() {
    MetaMasking m = MetaMasking.training(0.8, new Random(7));
    int[] hidden = new int[MetaMasking.Field.values().length];
    int both = 0;
    int n = 5000;
    for (int i = 0; i < n; i++) {
      boolean[] d = m.draw();
      for (int k = 0; k < d.length; k++) {
        hidden[k] += d[k] ? 1 : 0;
      }
      both += d[0] && d[1] ? 1 : 0;
    }
    for (int h : hidden) {
      assertThat(h / (double) n).isCloseTo(0.8, within(0.03));
    }
    assertThat(both / (double) n).as("independent: 0.8 * 0.8").isCloseTo(0.64, within(0.03));
  }

  @Test
  void shouldBuildZeroShotPromptsFromTheSamePhrasesAsTheReports() {
    ReportFacts f = ReportFacts.of(row("R", 1, 0, 5));
    List<String> mass = ZeroShotPrompts.prompts(ZeroShotPrompts.Task.MASS, f);
    assertThat(mass).hasSize(2);
    assertThat(mass.get(1)).startsWith(ReportTemplate.metaPrefix(f)).endsWith("there is a mass.");
    assertThat(ReportTemplate.render(f, MetaMasking.none()))
        .contains(ZeroShotPrompts.classSentences(ZeroShotPrompts.Task.MALIGNANCY).get(1));
    assertThat(ZeroShotPrompts.prompts(ZeroShotPrompts.Task.DENSITY, f)).hasSize(4);
  }
}
