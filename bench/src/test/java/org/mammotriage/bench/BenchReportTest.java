package org.mammotriage.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  @Test
  void shouldWriteEveryFigureWithItsIntervalGoalAndVerdictAsJsonAndHtml(@TempDir Path dir)
      throws Exception {
    // given
    MedianInterval m = MedianInterval.of(List.of(0.74, 0.81, 0.79, 0.83, 0.77, 0.80, 0.78));
    BenchReport r = new BenchReport("streams", "./run bench streams --alone --reps 7");
    r.setup("streams: JVM collectors", "PS MarkSweep, PS Scavenge")
        .measure(
            "streams: the stream alone",
            "stream/scorer alone, images in Kafka (default)",
            m.median(),
            m.lo(),
            m.hi(),
            "distribution-free",
            "x",
            ">= 0.80",
            0.8,
            m.verdict(0.8))
        .measure("ingest", "publisher/bare", 1.02, "x", "0.90-1.10", null, "met")
        .runs(
            "streams: the stream alone",
            "each run",
            "ratio",
            Map.of("images in Kafka", new double[] {0.74, Double.NaN, 0.79}),
            0.8);
    Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();
    cpu.put("stream", Map.of("workers", 16.2, "broker", 0.8));
    cpu.put("scorer alone", Map.of("workers", 14.3));
    r.breakdown("streams: the stream alone", "CPU an exam", "ms", cpu).note("ingest", "x < y & z");
    // when
    Path html = r.write(dir.resolve("out"));
    // then: the JSON holds what was measured, as measured
    JsonNode j = new ObjectMapper().readTree(dir.resolve("out/streams.json").toFile());
    assertThat(j.get("bench").asText()).isEqualTo("streams");
    assertThat(j.get("command").asText()).isEqualTo("./run bench streams --alone --reps 7");
    assertThat(j.get("machine").get("cores").asInt())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    JsonNode first = j.get("measures").get(0);
    assertThat(first.get("value").asDouble()).isEqualTo(0.79);
    assertThat(first.get("lower").asDouble()).isEqualTo(m.lo());
    assertThat(first.get("upper").asDouble()).isEqualTo(m.hi());
    assertThat(first.get("verdict").asText()).isEqualTo(m.verdict(0.8));
    assertThat(j.get("measures").get(1).has("lower")).isFalse();
    assertThat(j.get("runs").get(0).get("series").get("images in Kafka").get(1).isNull()).isTrue();
    assertThat(j.get("breakdowns").get(0).get("by").get("scorer alone").get("broker").asDouble())
        .isZero(); // a part a setting does not have
    assertThat(j.get("setup").get("streams: JVM collectors").asText()).contains("PS");
    // created as any file this process creates (the umask), not owner-only like a temporary file
    Path plain = Files.createFile(dir.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(html)).isEqualTo(Files.getPosixFilePermissions(plain));
    assertThat(Files.getPosixFilePermissions(dir.resolve("out/streams.json")))
        .isEqualTo(Files.getPosixFilePermissions(plain));
    try (var files = Files.list(dir.resolve("out"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("streams.json", "streams.html");
    }
    // and the page: the verdict table, a chart against the goal line, escaped text
    String page = Files.readString(html);
    assertThat(html.getFileName().toString()).isEqualTo("streams.html");
    assertThat(page)
        .contains("<th>verdict</th>")
        .contains(m.verdict(0.8).replace("'", "&#39;").substring(0, 20))
        .contains("class=\"reference\"")
        .contains("goal 0.800")
        .contains("x &lt; y &amp; z")
        .doesNotContain("<script");
    assertThat(page.split("<svg", -1).length - 1).as("charts: goal bars, runs, CPU").isEqualTo(3);
  }

  @Test
  void shouldDrawOneGoalChartPerGoalLineAndNoneForFiguresWithoutOne() {
    BenchReport r = new BenchReport("ingest", "./run bench ingest");
    r.measure("ingest", "python/java A", 3.1, "x", ">= 2.00", 2.0, "met")
        .measure("ingest", "python/java B", 9.2, "x", ">= 2.00", 2.0, "met")
        .measure("ingest", "publisher/bare", 1.02, "x", "0.90-1.10", null, "met")
        .measure("scp", "SCP/storescp", 1.26, 1.1, 1.3, "range", "x", ">= 1.00", 1.0, "met");
    String page = r.html();
    assertThat(page.split("<svg", -1).length - 1).isEqualTo(2);
    assertThat(page).contains("goal 2.000").contains("goal 1.000");
  }

  @Test
  void shouldLabelFiguresThatShareTheirBeginningByWhatDiffers() {
    assertThat(
            BenchReport.distinctTails(
                List.of(
                    "decode, Python/Java, Vendor A 4096", "decode, Python/Java, Vendor B 2294")))
        .containsExactly("Vendor A 4096", "Vendor B 2294");
    assertThat(BenchReport.distinctTails(List.of("SCP/storescp", "SCP with the store/storescp")))
        .containsExactly("SCP/storescp", "SCP with the store/storescp");
    assertThat(BenchReport.distinctTails(List.of("a very long name that goes on and on and on")))
        .containsExactly("a very long name that goes…");
  }

  @Test
  void shouldDrawBothEndsOfAGoalBandOverTheRuns() throws Exception {
    BenchReport r = new BenchReport("ingest", "");
    r.runs(
        "ingest",
        "publisher/bare each round",
        "ratio",
        Map.of("p/b", new double[] {1.0, 0.95}),
        0.9,
        1.1);
    assertThat(r.html().split("class=\"reference\"", -1).length - 1).isEqualTo(2);
    assertThat(r.json().get("runs").get(0).get("goal").toString()).isEqualTo("[0.9,1.1]");
  }

  @Test
  void shouldRefuseAnIntervalWithOneEnd() {
    BenchReport r = new BenchReport("x", "");
    assertThatThrownBy(() -> r.measure("s", "m", 1, 0.5, null, "?", "x", null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both ends");
  }
}
