package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.publish.PublishException;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ingest.testing.Pipelines;
import org.mammotriage.ingest.testing.RecordingPublisher;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.testing.Await;
import org.slf4j.LoggerFactory;

/**
 * The SCP against what a network does to it: connections that never speak, callers it does not
 * know, senders that abort, a stop while a C-STORE is in flight. Real peers (dcmtk echoscu and
 * storescu, PixelMed as initiator, raw sockets); no broker: the pipeline publishes to a recorder.
 */
class ScpHardeningIT {
  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private DicomScp scp(ScpSettings s, RecordingPublisher publisher) throws Exception {
    DicomScp scp =
        new DicomScp(s, Pipelines.of(publisher), dir.resolve("spool"), new SimpleMeterRegistry());
    toClose.add(scp);
    return scp;
  }

  private static ScpSettings settings(long requestTimeoutMs, Set<String> allowed) {
    ScpSettings d = ScpSettings.of(0, "MAMMOTRIAGE", allowed, 1L << 28, 64);
    return new ScpSettings(
        0,
        "127.0.0.1",
        "MAMMOTRIAGE",
        allowed,
        d.maxBytes(),
        64,
        16,
        requestTimeoutMs,
        d.idleTimeoutMs(),
        d.readTimeoutMs(),
        d.maxPduLength(),
        60_000,
        null,
        "none",
        List.of());
  }

  static Tool.Result echoscu(int port, String callingAe) throws Exception {
    return Tool.run(
        "echoscu", "-v", "-aet", callingAe, "-aec", "MAMMOTRIAGE", "127.0.0.1", "" + port);
  }

  @Test
  void shouldAnswerEchoWhileTwentyConnectionsSitIdleAndCloseThemAfterTheRequestTimeout()
      throws Exception {
    // given: twenty connections that never send an A-ASSOCIATE-RQ
    DicomScp scp = scp(settings(1_500, Set.of()), new RecordingPublisher());
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", scp.port()), 5_000);
      idle.add(s);
      toClose.add(s);
    }

    // when
    Tool.Result echo = echoscu(scp.port(), "MODALITY");

    // then: the echo is answered, and every idle connection is closed by the SCP
    assertThat(echo.exitCode()).as(echo.output()).isZero();
    for (Socket s : idle) {
      s.setSoTimeout(30_000);
      InputStream in = s.getInputStream();
      int read;
      try {
        read = in.read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertThat(read).as("the SCP closed an idle connection").isEqualTo(-1);
    }
    Await.until(Duration.ofSeconds(30), () -> scp.openConnections() == 0, () -> "all closed");
  }

  @Test
  void shouldRejectAnUnknownCallingAeWithAssociateRejectInsteadOfAbort() throws Exception {
    // given
    DicomScp scp = scp(settings(10_000, Set.of("KNOWN")), new RecordingPublisher());
    Path file =
        TestImages.mammogram().write(dir.resolve("a.dcm"), TransferSyntax.ExplicitVRLittleEndian);

    // when
    Tool.Result store =
        Tool.run(
            "storescu",
            "-v",
            "-aet",
            "STRANGER",
            "-aec",
            "MAMMOTRIAGE",
            "127.0.0.1",
            "" + scp.port(),
            file.toString());

    // then: refused at association, permanently, for the calling AE title; nothing was sent
    assertThat(store.output())
        .contains("Association Rejected")
        .contains("Rejected Permanent")
        .containsIgnoringCase("Calling AE Title Not Recognized")
        .doesNotContain("Sending file")
        .doesNotContain("Peer aborted");
    assertThat(echoscu(scp.port(), "KNOWN").exitCode()).isZero();
  }

  @Test
  void shouldLogOneQuietLineWhenASenderAbortsAndNoPixelmedNoise() throws Exception {
    // given
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    toClose.add(() -> root.detachAppender(logs));
    DicomScp scp = scp(settings(10_000, Set.of()), new RecordingPublisher());
    LinkedList<PresentationContext> pcs = new LinkedList<>();
    pcs.add(
        new PresentationContext(
            (byte) 1, SOPClass.Verification, TransferSyntax.ImplicitVRLittleEndian));

    // when: a sender associates and aborts, another releases normally
    Association a =
        AssociationFactory.createNewAssociation(
            "127.0.0.1", scp.port(), "MAMMOTRIAGE", "ABORTER", pcs, null, false);
    a.abort();
    assertThat(echoscu(scp.port(), "RELEASER").exitCode()).isZero();
    Await.until(Duration.ofSeconds(30), () -> scp.openConnections() == 0, () -> "both ended");

    // then
    List<ILoggingEvent> events = new ArrayList<>(logs.list);
    assertThat(events).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
    assertThat(events).noneMatch(e -> e.getThrowableProxy() != null);
    assertThat(events).noneMatch(e -> e.getFormattedMessage().contains("Debug level"));
    assertThat(events)
        .filteredOn(
            e ->
                e.getFormattedMessage().contains("ABORTER")
                    && e.getFormattedMessage().contains("aborted"))
        .hasSize(1);
    assertThat(events)
        .anyMatch(e -> e.getFormattedMessage().contains("RELEASER] association released"));
  }

  @Test
  void shouldFinishTheCStoreInFlightWhenStoppingAndRefuseNewAssociationsForNow() throws Exception {
    // given: a C-STORE held in publishing until the test lets it go
    CountDownLatch publishing = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    RecordingPublisher slow =
        new RecordingPublisher() {
          @Override
          public void publish(MammogramImage image) throws PublishException {
            publishing.countDown();
            try {
              letGo.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new PublishException("interrupted", e);
            }
            super.publish(image);
          }
        };
    DicomScp scp = scp(settings(10_000, Set.of()), slow);
    Path file =
        TestImages.mammogram().write(dir.resolve("a.dcm"), TransferSyntax.ExplicitVRLittleEndian);
    CompletableFuture<Tool.Result> store =
        CompletableFuture.supplyAsync(
            () ->
                Tool.runUnchecked(
                    "storescu",
                    "-v",
                    "-aet",
                    "MODALITY",
                    "-aec",
                    "MAMMOTRIAGE",
                    "127.0.0.1",
                    "" + scp.port(),
                    file.toString()));
    assertThat(publishing.await(60, TimeUnit.SECONDS)).as("the C-STORE is in flight").isTrue();

    // when: the SCP is told to stop while the C-STORE is in flight
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(scp::close);
    Await.until(Duration.ofSeconds(30), () -> !scp.isRunning(), () -> "stopping");
    boolean newRefused;
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress("127.0.0.1", scp.port()), 2_000);
      newRefused = false;
    } catch (java.io.IOException refused) {
      newRefused = true;
    }
    letGo.countDown();

    // then: the one in flight was stored and answered success; no new connection was taken
    assertThat(store.get(60, TimeUnit.SECONDS).output())
        .contains("Received Store Response (Success)");
    stopping.get(60, TimeUnit.SECONDS);
    assertThat(newRefused).isTrue();
    assertThat(slow.images).hasSize(1);
    assertThat(slow.rejections).isEmpty();
  }

  @Test
  void shouldTakeNoConnectionOnceItSaysItHasStopped() throws Exception {
    // given: SCPs stopped right after they start, their acceptor blocked in accept(); closing a
    // ServerSocket under a blocked accept() leaves the kernel listening until accept() returns,
    // and isRunning() once read false as soon as the socket was closed (a red CI run)
    int connected = 0;
    int tries = 100;
    for (int i = 0; i < tries; i++) {
      DicomScp scp =
          new DicomScp(
              settings(10_000, Set.of()),
              Pipelines.of(new RecordingPublisher()),
              dir.resolve("spool-" + i),
              new SimpleMeterRegistry());
      int port = scp.port();
      Await.until(
          Duration.ofSeconds(10),
          ScpHardeningIT::acceptorInAccept,
          () -> "the SCP's accept thread blocked in accept()");

      // when: stopped on another thread, as the ingest command's shutdown hook does
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(scp::close);
      while (scp.isRunning()) {
        Thread.onSpinWait();
      }

      // then: as soon as isRunning() reads false, the port refuses
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        connected++;
      } catch (java.io.IOException refused) {
        // refused, as it should be
      }
      stopping.get(30, TimeUnit.SECONDS);
    }
    assertThat(connected).as("probes connected after close(), of %d", tries).isZero();
  }

  /** Whether an SCP's accept thread (the one live SCP's) is inside ServerSocket.accept(). */
  private static boolean acceptorInAccept() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().equals("dicom-scp-accept"))
        .anyMatch(
            e ->
                java.util.Arrays.stream(e.getValue())
                    .anyMatch(
                        f ->
                            f.getClassName().equals("java.net.ServerSocket")
                                && f.getMethodName().equals("accept")));
  }

  /** Runs a dcmtk tool and keeps its output. */
  static final class Tool {
    record Result(int exitCode, String output) {}

    static Result run(String... cmd) throws Exception {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      return new Result(p.waitFor(), out);
    }

    static Result runUnchecked(String... cmd) {
      try {
        return run(cmd);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
