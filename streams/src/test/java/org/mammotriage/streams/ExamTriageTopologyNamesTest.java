package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * Node and store names are a compatibility contract (STYLE 3): a running application restores its
 * store from the changelog named after the store, so a rename needs an application reset. The names
 * are written out here on purpose, not taken from the constants, so that a rename fails.
 */
class ExamTriageTopologyNamesTest {

  @Test
  void shouldKeepTheNamesOfEveryNodeAndStoreARunningApplicationDependsOn() {
    // given
    TopologyDescription d =
        ExamTriageTopology.build(
                TriageSettings.defaults(),
                null, // the scorer is not called while the topology is described
                SerdeFactory.singleObject(),
                new StreamsMetrics(OpsServer.newRegistry()))
            .describe();

    // when
    Map<String, String> nodes = new LinkedHashMap<>();
    for (TopologyDescription.Subtopology s : d.subtopologies()) {
      for (TopologyDescription.Node n : s.nodes()) {
        nodes.put(n.name(), detail(n));
      }
    }

    // then
    assertThat(d.subtopologies()).hasSize(1);
    assertThat(d.globalStores()).isEmpty();
    assertThat(nodes)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "images-source", "source of [mammo.images.v1]",
                "exam-assembler", "processor with stores [exam-assembly-store]",
                "scores-sink", "sink to mammo.scores.v1",
                "triage-suspicious-sink", "sink to mammo.triage.suspicious.v1",
                "triage-routine-sink", "sink to mammo.triage.routine.v1",
                "triage-low-sink", "sink to mammo.triage.low.v1",
                "triage-incomplete-sink", "sink to mammo.triage.incomplete.v1",
                "triage-out-of-domain-sink", "sink to mammo.triage.out_of_domain.v1",
                "risk-elevated-sink", "sink to mammo.risk.elevated.v1"));
  }

  @Test
  void shouldFeedEverySinkFromTheAssemblerAndTheAssemblerFromTheSource() {
    // given
    TopologyDescription d =
        ExamTriageTopology.build(
                TriageSettings.defaults(),
                null,
                SerdeFactory.singleObject(),
                new StreamsMetrics(OpsServer.newRegistry()))
            .describe();

    // when
    Map<String, Set<String>> predecessors = new LinkedHashMap<>();
    for (TopologyDescription.Node n : d.subtopologies().iterator().next().nodes()) {
      predecessors.put(
          n.name(),
          n.predecessors().stream()
              .map(TopologyDescription.Node::name)
              .collect(java.util.stream.Collectors.toSet()));
    }

    // then
    assertThat(predecessors.remove("images-source")).isEmpty();
    assertThat(predecessors.remove("exam-assembler")).containsExactly("images-source");
    assertThat(predecessors)
        .hasSize(7)
        .allSatisfy((sink, from) -> assertThat(from).as(sink).containsExactly("exam-assembler"));
  }

  private static String detail(TopologyDescription.Node n) {
    if (n instanceof TopologyDescription.Source s) {
      return "source of " + s.topicSet();
    }
    if (n instanceof TopologyDescription.Processor p) {
      return "processor with stores " + p.stores();
    }
    if (n instanceof TopologyDescription.Sink s) {
      return "sink to " + s.topic();
    }
    return "unexpected node " + n;
  }
}
