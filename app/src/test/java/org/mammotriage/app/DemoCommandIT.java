package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The newcomer's path for real: the demo command with the bundled demo model, a small faulted
 * synthetic archive sent with storescu, then the report rendered in headless Chromium.
 */
class DemoCommandIT {
  static final Path OUT = Path.of("target", "demo-it");

  @Test
  void shouldDecideEveryExamOnceAccountForEveryFaultAndDrawTheReport() throws Exception {
    int rc =
        new CommandLine(new DemoCommand())
            .execute(
                "--model", "../models/demo-synthetic",
                "--out", OUT.toString(),
                "--patients", "20",
                "--seed", "7",
                "--scale", "0.1",
                "--quiet-period-ms", "2000");

    assertThat(rc).isZero();
    JsonNode s = new ObjectMapper().readTree(OUT.resolve("summary.json").toFile());
    assertThat(s.path("notice").asText()).contains("SYNTHETIC", "NOT for clinical use");
    assertThat(s.at("/model/intended_use").asText()).contains("SYNTHETIC");
    JsonNode exams = s.path("exams");
    assertThat(exams.path("expected").asInt()).isGreaterThan(5);
    assertThat(exams.path("decided").asInt()).isEqualTo(exams.path("expected").asInt());
    assertThat(exams.path("duplicate_decisions").asInt()).isZero();
    assertThat(exams.path("missing")).isEmpty();
    assertThat(exams.path("every_exam_decided_once").asBoolean()).isTrue();
    JsonNode rej = s.path("rejected");
    assertThat(rej.path("expected_by_reason").size()).as("the archive has rejects").isPositive();
    assertThat(rej.path("by_reason")).isEqualTo(rej.path("expected_by_reason"));
    assertThat(rej.path("every_fault_accounted_for").asBoolean()).isTrue();
    int categorised = 0;
    for (String c : DemoReport.CATEGORIES) {
      categorised += s.at("/categories/" + c).asInt();
    }
    assertThat(categorised).isEqualTo(exams.path("expected").asInt());
    assertThat(s.at("/latency_ms/p50").isNumber()).isTrue();

    String html = Files.readString(OUT.resolve("report.html"), StandardCharsets.UTF_8);
    assertThat(html).contains("SYNTHETIC DEMO", "Exams per category", "Last image to decision");
    assertThat(html.split("<svg", -1).length - 1).isGreaterThanOrEqualTo(4);
    assertThat(html).contains("Rejected files by reason");
    // static: nothing fetched from the network (SVG namespaces are not fetches)
    assertThat(html).doesNotContain("<script src", "<link", "https://", "url(http");

    assertRendersInChromium(OUT.resolve("report.html"));
  }

  /** Headless Chromium draws the plots (SVG rects in the rendered DOM) without script errors. */
  static void assertRendersInChromium(Path html) throws Exception {
    Path shot = html.resolveSibling("report-screenshot.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    String url = html.toAbsolutePath().toUri().toString();
    String dom = chromium("--dump-dom", url);
    assertThat(dom).contains("<svg");
    assertThat(count(dom, "<rect")).as("bars drawn").isGreaterThan(10);
    String log =
        chromium(
            "--screenshot=" + shot,
            "--window-size=1100,2600",
            "--enable-logging=stderr",
            "--v=0",
            url);
    assertThat(log).doesNotContain("Uncaught", "SyntaxError");
    assertThat(shot).isRegularFile();
    assertThat(Files.size(shot)).isGreaterThan(20_000);
  }

  private static String chromium(String... args) throws Exception {
    Path profile = Files.createTempDirectory("chromium"); // deleted below: a profile is ~2 MB
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      DemoCommand.deleteQuietly(profile);
    }
  }

  private static int count(String s, String what) {
    return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }
}
