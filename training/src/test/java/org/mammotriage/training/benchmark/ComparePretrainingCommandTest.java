package org.mammotriage.training.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.training.pretrain.ComparePretrainingCommand;
import picocli.CommandLine;

/**
 * The real comparison entry point on a tiny configuration (a 30-woman v2 archive at detector scale
 * 0.05, 64×40 inputs, two steps per method, one seed): every method runs, the report is written,
 * and a second call resumes from the saved runs. Numbers are meaningless at this size; the full run
 * is in docs/evaluation/compare-pretraining/README.md.
 */
class ComparePretrainingCommandTest {
  private static final String[] TINY = {
    "--patients", "30",
    "--synth-scale", "0.05",
    "--seeds", "1",
    "--max-steps", "2",
    "--batch", "4",
    "--height", "64",
    "--width", "40",
    "--resnet-width", "8",
    "--embedding-dim", "16",
    "--text-dim", "16",
    "--text-layers", "1",
    "--heads", "2",
    "--glam-grid", "2",
    "--resamples", "20",
    "--min-per-class", "2",
    "--fractions", "0.5,1.0"
  };

  @Test
  void shouldRunEveryMethodAndWriteTheTableJsonAndHtmlThenResume(@TempDir Path dir)
      throws Exception {
    List<String> args = new ArrayList<>(List.of(TINY));
    args.addAll(List.of("--out", dir.toString(), "--benchmark", "v2"));
    ComparePretrainingCommand cmd = new ComparePretrainingCommand();
    new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
    List<String> lines = new ArrayList<>();

    var in = cmd.run(lines::add);

    assertThat(dir.resolve(CompareReport.TABLE_FILE)).isRegularFile();
    assertThat(dir.resolve(CompareReport.HTML_FILE)).isRegularFile();
    JsonNode json = new ObjectMapper().readTree(dir.resolve(CompareReport.JSON_FILE).toFile());
    List<String> methods = List.of("random", "supervised", "clip", "mvclip", "glam", "mama");
    for (String m : methods) {
      assertThat(Files.exists(RunScores.file(dir, m, 1))).as(m).isTrue();
    }
    // 6 methods × 4 tasks × 2 budgets; differences: 3 lesion tasks × 2 budgets × (5 + 5)
    assertThat(json.get("cells")).hasSize(48);
    assertThat(json.get("differences")).hasSize(60);
    assertThat(in.result().cells()).allSatisfy(c -> assertThat(c.auc().resamples()).isEqualTo(20));
    String html = Files.readString(dir.resolve(CompareReport.HTML_FILE));
    assertThat(html).contains("<svg").contains("mvclip − clip").contains("SYNTHETIC");
    assertThat(lines).anyMatch(l -> l.contains("compare-pretraining") && l.contains("ETA"));

    // a second call reads the saved runs instead of training again
    List<String> again = new ArrayList<>();
    new ComparePretrainingCommand();
    ComparePretrainingCommand cmd2 = new ComparePretrainingCommand();
    new CommandLine(cmd2).parseArgs(args.toArray(String[]::new));
    cmd2.run(again::add);
    assertThat(again).anyMatch(l -> l.startsWith("resuming: glam seed 1"));
  }

  @Test
  void shouldRunAnAblationAndReportTheFullObjectiveMinusIt(@TempDir Path dir) throws Exception {
    List<String> args = new ArrayList<>(List.of(TINY));
    args.addAll(
        List.of(
            "--out", dir.toString(), "--benchmark", "v2", "--methods", "clip,glam,glam-nolocal"));
    ComparePretrainingCommand cmd = new ComparePretrainingCommand();
    new CommandLine(cmd).parseArgs(args.toArray(String[]::new));

    var in = cmd.run(l -> {});

    assertThat(Files.exists(RunScores.file(dir, "glam-nolocal", 1))).isTrue();
    JsonNode pretrain =
        new ObjectMapper()
            .readTree(dir.resolve("models/glam-nolocal-seed1/pretrain.json").toFile());
    assertThat(pretrain.path("method").asText()).isEqualTo("glam");
    assertThat(pretrain.path("training").path("ablation").asText()).isEqualTo("nolocal");
    // 3 lesion tasks × 2 budgets: glam − glam-nolocal
    assertThat(in.result().differences())
        .filteredOn(d -> d.method().equals("glam") && d.reference().equals("glam-nolocal"))
        .hasSize(6);
    assertThat(Files.readString(dir.resolve(CompareReport.HTML_FILE)))
        .contains("Ablations")
        .contains("glam − glam-nolocal");
  }
}
