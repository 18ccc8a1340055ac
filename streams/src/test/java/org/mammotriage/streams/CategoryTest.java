package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.Topics;

/**
 * Each suspicion category's label, topic and sink. Labels are in every record and sink names are a
 * compatibility contract, so they are written out here.
 */
class CategoryTest {

  @Test
  void shouldNameEachCategoryItsLabelTopicAndSink() {
    assertThat(Category.values())
        .containsExactly(
            Category.SUSPICIOUS,
            Category.ROUTINE,
            Category.LOW,
            Category.INCOMPLETE,
            Category.OUT_OF_DOMAIN);
    assertThat(Category.SUSPICIOUS.label()).isEqualTo("suspicious");
    assertThat(Category.SUSPICIOUS.topic()).isSameAs(Topics.SUSPICIOUS);
    assertThat(Category.SUSPICIOUS.sinkName()).isEqualTo("triage-suspicious-sink");
    assertThat(Category.ROUTINE.label()).isEqualTo("routine");
    assertThat(Category.ROUTINE.topic()).isSameAs(Topics.ROUTINE);
    assertThat(Category.ROUTINE.sinkName()).isEqualTo("triage-routine-sink");
    assertThat(Category.LOW.label()).isEqualTo("low");
    assertThat(Category.LOW.topic()).isSameAs(Topics.LOW);
    assertThat(Category.LOW.sinkName()).isEqualTo("triage-low-sink");
    assertThat(Category.INCOMPLETE.label()).isEqualTo("incomplete");
    assertThat(Category.INCOMPLETE.topic()).isSameAs(Topics.INCOMPLETE);
    assertThat(Category.INCOMPLETE.sinkName()).isEqualTo("triage-incomplete-sink");
    assertThat(Category.OUT_OF_DOMAIN.label()).isEqualTo("out_of_domain");
    assertThat(Category.OUT_OF_DOMAIN.topic().name()).isEqualTo("mammo.triage.out_of_domain.v1");
    assertThat(Category.OUT_OF_DOMAIN.sinkName()).isEqualTo("triage-out-of-domain-sink");
  }

  @Test
  void shouldAgreeWithTheTopicRegistryForEveryLabel() {
    for (Category c : Category.values()) {
      assertThat(Category.fromLabel(c.label()).topic()).as(c.label()).isSameAs(c.topic());
    }
  }

  @Test
  void shouldGiveEachCategoryItsOwnTopicAndSinkApartFromTheOtherSinks() {
    assertThat(Arrays.stream(Category.values()).map(c -> c.topic().name()))
        .doesNotHaveDuplicates()
        .doesNotContain(Topics.SCORES.name(), Topics.RISK_ELEVATED.name());
    assertThat(Arrays.stream(Category.values()).map(Category::sinkName))
        .doesNotHaveDuplicates()
        .doesNotContain(ExamTriageTopology.SINK_SCORES, ExamTriageTopology.SINK_RISK);
  }

  @Test
  void shouldFindEachCategoryByLabelAndRejectUnknown() {
    assertThat(Category.fromLabel("suspicious").topic()).isSameAs(Topics.SUSPICIOUS);
    assertThat(Category.fromLabel("incomplete").topic().name())
        .isEqualTo("mammo.triage.incomplete.v1");
    assertThatThrownBy(() -> Category.fromLabel("urgent")).hasMessageContaining("urgent");
  }
}
