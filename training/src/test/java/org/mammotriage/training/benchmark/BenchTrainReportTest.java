package org.mammotriage.training.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchTrainReportTest {

  @Test
  void shouldShowEachRatioAgainstItsGoalWithTheVerdict() {
    // given: the training ratio below its goal, the pipeline above
    ObjectNode j = new ObjectMapper().createObjectNode();
    j.put("depth", 18).put("batch", 8).put("height", 256).put("width", 160);
    j.put("djl_steps_per_s", 1.6).put("torch_steps_per_s", 2.0).put("ratio", 0.8).put("goal", 0.9);
    j.put("torch_version", "2.1").put("loader_images_per_s", 60.0);
    j.put("trained_images_per_s", 12.8).put("loader_ratio", 4.6875).put("loader_goal", 1.0);
    j.put("workers", 2).put("cores", 2);
    // when
    String html = BenchTrainCommand.html(j);
    // then
    assertThat(html)
        .contains("<td>NOT met</td>")
        .contains("<td>met</td>")
        .contains("goal 0.900")
        .contains("goal 1.000")
        .contains("ResNet-18");
    assertThat(html.split("class=\"reference\"", -1).length - 1).isEqualTo(2);
    assertThat(BenchTrainCommand.htmlPath(Path.of("target/bench-train.json")))
        .isEqualTo(Path.of("target/bench-train.html"));
    assertThat(BenchTrainCommand.htmlPath(Path.of("r"))).isEqualTo(Path.of("r.html"));
  }
}
