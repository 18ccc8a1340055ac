package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

/**
 * Hot model change in a running process: the directory watch (a new model copied over the watched
 * directory, a broken or half-copied one kept out) and the admin command on the ops port.
 */
class ModelSwitcherTest {
  @TempDir Path tmp;

  private static void copyModel(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    // model.json last, as a deployment would; the ONNX files' mtimes change with the copy
    for (String f : new String[] {"exam_scorer.onnx", "image_encoder.onnx", "model.json"}) {
      Files.copy(from.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static double count(SimpleMeterRegistry r, String name) {
    return r.get(name).counter().count();
  }

  /** v1 written and copied to tmp/live (returned); v2 written to tmp/v2, of the given kind. */
  private Path liveV1AndV2(Kind v2Kind) throws Exception {
    Path v1 = TestModels.write(tmp.resolve("v1"), Kind.KNOWN, "screening", "1", 30, 18);
    TestModels.write(tmp.resolve("v2"), v2Kind, "screening", "2", 30, 18);
    Path live = tmp.resolve("live");
    copyModel(v1, live);
    return live;
  }

  @Test
  void shouldActivateANewModelCopiedOverTheWatchedDirectoryOnce() throws Exception {
    Path live = liveV1AndV2(Kind.CONV);
    Path v2 = tmp.resolve("v2");
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (OnnxExamScorer s = new OnnxExamScorer(live, "cpu", false, 1, 1, 0);
        ModelSwitcher w = new ModelSwitcher(s, live, 0, reg)) {
      assertThat(w.checkNow()).as("nothing changed").isFalse();
      ScoreResult before = s.score(OnnxExamScorerTest.exam("a", 60, 120, Slot.values()));
      assertThat(before.model().version()).isEqualTo("1");

      copyModel(v2, live);
      assertThat(w.checkNow()).isTrue();
      assertThat(w.checkNow()).as("the same files are not loaded twice").isFalse();

      ScoreResult after = s.score(OnnxExamScorerTest.exam("a", 60, 120, Slot.values()));
      assertThat(after.model().version()).isEqualTo("2");
      assertThat(after.model().id()).isNotEqualTo(before.model().id());
      assertThat(count(reg, "mammotriage_model_switches")).isEqualTo(1.0);
      assertThat(reg.find("mammotriage_model_info").gauges())
          .as("one info row, for the model scoring now")
          .singleElement()
          .satisfies(g -> assertThat(g.getId().getTag("model")).isEqualTo(after.model().id()));
      assertThat(count(reg, "mammotriage_model_switch_failures")).isZero();
    }
  }

  @Test
  void shouldKeepScoringWithTheOldModelWhileTheNewOneDoesNotLoadAndTakeItWhenComplete()
      throws Exception {
    Path live = liveV1AndV2(Kind.KNOWN);
    Path v2 = tmp.resolve("v2");
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (OnnxExamScorer s = new OnnxExamScorer(live, "cpu", false, 1, 1, 0);
        ModelSwitcher w = new ModelSwitcher(s, live, 0, reg)) {
      // a copy in progress: v2's manifest has arrived, its exam scorer not yet (v1's is there)
      Files.copy(
          v2.resolve("model.json"),
          live.resolve("model.json"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(live.resolve("exam_scorer.onnx"), "half a file");
      assertThat(w.checkNow()).isFalse();
      assertThat(w.checkNow()).as("the same broken files are tried once").isFalse();
      assertThat(count(reg, "mammotriage_model_switch_failures")).isEqualTo(1.0);
      ScoreResult during = s.score(OnnxExamScorerTest.exam("b", 60, 120, Slot.values()));
      assertThat(during.scorable()).isTrue();
      assertThat(during.model().version()).isEqualTo("1");

      Files.copy(
          v2.resolve("exam_scorer.onnx"),
          live.resolve("exam_scorer.onnx"),
          StandardCopyOption.REPLACE_EXISTING);
      assertThat(w.checkNow()).as("the completed copy is retried and loads").isTrue();
      assertThat(s.activeModel().version()).isEqualTo("2");
    }
  }

  @Test
  void shouldWatchOnItsOwnThread() throws Exception {
    Path live = liveV1AndV2(Kind.KNOWN);
    Path v2 = tmp.resolve("v2");
    try (OnnxExamScorer s = new OnnxExamScorer(live, "cpu", false, 1, 1, 0);
        ModelSwitcher w = new ModelSwitcher(s, live, 50, new SimpleMeterRegistry())) {
      copyModel(v2, live);
      Await.until(
          Duration.ofSeconds(60),
          () -> s.activeModel().version().equals("2"),
          () -> "the watch thread activates v2");
    }
  }

  @Test
  void shouldActivateByAdminCommandOnlyWithTheToken() throws Exception {
    Path v1 = TestModels.write(tmp.resolve("v1"), Kind.KNOWN, "screening", "1", 30, 18);
    Path v2 = TestModels.write(tmp.resolve("v2"), Kind.KNOWN, "screening", "2", 30, 18);
    Path tokenFile = Files.writeString(tmp.resolve("token"), "0123456789abcdef0123\n");
    try (OnnxExamScorer s = new OnnxExamScorer(v1, "cpu", false, 1, 1, 0);
        ModelSwitcher w = new ModelSwitcher(s, v1, 0, new SimpleMeterRegistry());
        OpsServer ops = OpsServer.start(0, OpsServer.newRegistry())) {
      ops.handle(ModelAdminHandler.PATH, ModelAdminHandler.fromTokenFile(w, tokenFile.toString()));
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + ops.port() + ModelAdminHandler.PATH);

      HttpResponse<String> noToken =
          http.send(
              HttpRequest.newBuilder(uri)
                  .POST(HttpRequest.BodyPublishers.ofString(v2.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(noToken.statusCode()).isEqualTo(401);
      assertThat(s.activeModel().version()).isEqualTo("1");

      HttpRequest.Builder auth =
          HttpRequest.newBuilder(uri).header("Authorization", "Bearer 0123456789abcdef0123");
      HttpResponse<String> get =
          http.send(auth.GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body())
          .contains("\"model\":\"" + s.activeModel().id() + "\"", "\"device\":\"cpu\"");

      HttpResponse<String> bad =
          http.send(
              auth.POST(HttpRequest.BodyPublishers.ofString(tmp.resolve("nowhere").toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(422);
      assertThat(bad.body()).contains("not activated", "model.json");
      assertThat(s.activeModel().version()).isEqualTo("1");

      String v1Id = s.activeModel().id();
      HttpResponse<String> ok =
          http.send(
              auth.POST(HttpRequest.BodyPublishers.ofString(v2.toString())).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(s.activeModel().version()).isEqualTo("2");
      assertThat(ok.body())
          .contains("\"previous\":\"" + v1Id + "\"", "\"model\":\"" + s.activeModel().id() + "\"");
    }
  }

  @Test
  void shouldSayHowToEnableTheAdminCommandAndRefuseAShortToken() throws Exception {
    Path v1 = TestModels.write(tmp.resolve("v1"), Kind.KNOWN, "screening", "1", 30, 18);
    try (OnnxExamScorer s = new OnnxExamScorer(v1, "cpu", false, 1, 1, 0);
        ModelSwitcher w = new ModelSwitcher(s, v1, 0, new SimpleMeterRegistry());
        OpsServer ops = OpsServer.start(0, OpsServer.newRegistry())) {
      ops.handle(ModelAdminHandler.PATH, ModelAdminHandler.fromTokenFile(w, ""));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + ops.port() + ModelAdminHandler.PATH))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("scoring.admin.token.file");

      Path shortToken = Files.writeString(tmp.resolve("short"), "abc");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ModelAdminHandler.fromTokenFile(w, shortToken.toString()))
          .hasMessageContaining("at least 16");
    }
  }
}
