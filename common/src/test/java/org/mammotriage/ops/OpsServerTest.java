package org.mammotriage.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpsServerTest {
  @Test
  void shouldAnswerProbesWhileAnotherEndpointIsStillWorking() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (OpsServer ops = OpsServer.start(0, OpsServer.newRegistry())) {
      ops.setReadiness(() -> true);
      ops.handle(
          "/slow",
          ex -> {
            entered.countDown();
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
          });
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + ops.port();
      CompletableFuture<HttpResponse<String>> slow =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(base + "/slow")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(entered.await(30, TimeUnit.SECONDS))
          .as("the slow request is being handled")
          .isTrue();

      for (String probe : new String[] {"/health/live", "/health/ready", "/metrics"}) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + probe))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(probe).isEqualTo(200);
      }
      release.countDown();
      assertThat(slow.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void shouldNameThePortAndTheKeyWhenThePortIsTaken() throws Exception {
    try (OpsServer first = OpsServer.start(0, OpsServer.newRegistry())) {
      // when
      Throwable t =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> OpsServer.start(first.port(), OpsServer.newRegistry()));

      // then
      assertThat(t)
          .isInstanceOf(java.net.BindException.class)
          .hasMessageContaining("port " + first.port())
          .hasMessageContaining("ops.http.port");
    }
  }
}
