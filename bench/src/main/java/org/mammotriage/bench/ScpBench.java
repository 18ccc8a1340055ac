package org.mammotriage.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ingest.scp.StorescuClient;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.TopicAdmin;

/**
 * The ingest SCP (receive → validate → preprocess → Kafka acknowledgement before the C-STORE
 * response) against dcmtk's {@code storescp} (receive → file), both fed by one {@code storescu}
 * association with the same full-size files over loopback, in alternating rounds. Each SCP round
 * runs a fresh ingest runtime, so no instance is acknowledged as a duplicate.
 */
final class ScpBench {
  static final double GOAL = 1.0;
  private static final int ROUNDS = 5;

  private ScpBench() {}

  static void run(int patients) throws Exception {
    run(patients, false);
  }

  /**
   * @param imageStore whether the ingest SCP writes each working image to an image store ({@code
   *     images.store.dir}, synced) and publishes its reference, instead of the PNG in the record
   */
  static void run(int patients, boolean imageStore) throws Exception {
    Path dir = Files.createTempDirectory("bench-scp");
    withStore = imageStore;
    try {
      run(dir, patients);
    } finally {
      BenchPipeline.deleteTree(
          dir); // the archive, the broker's log and storescp's copies: a few GB
    }
  }

  private static void run(Path dir, int patients) throws Exception {
    org.mammotriage.synth.SyntheticArchive.of(
            org.mammotriage.synth.SynthOptions.defaults(patients, 5))
        .generate(dir.resolve("a"));
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      files = s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
    }
    long bytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
    }
    double[] scp = new double[ROUNDS];
    double[] dcmtk = new double[ROUNDS];
    double[] preprocessShare = new double[ROUNDS];
    double[] stored = new double[ROUNDS];
    try (EmbeddedBroker broker = EmbeddedBroker.create(dir.resolve("kafka"), 0).start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        TopicAdmin.ensureTopics(admin, (short) 1, null);
      }
      // warm-up: the SCP's receive, preprocessing and publishing compiled by the JIT, Kafka's
      // producer connected (with two files the first timed round still ran 0.72 of the others)
      List<Path> warm = files.subList(0, Math.min(12, files.size()));
      ingest(broker.bootstrapServers(), dir.resolve("warm"), warm);
      ingest(broker.bootstrapServers(), dir.resolve("warm2"), warm);
      storescp(dir.resolve("warm-dcmtk"), warm);
      for (int r = 0; r < ROUNDS; r++) {
        // each receiver starts with no dirty pages of the other's round still being written back
        settle(dir.resolve("dcmtk" + (r - 1)));
        dcmtk[r] = storescp(dir.resolve("dcmtk" + r), files);
        settle(dir.resolve("dcmtk" + r));
        scp[r] = ingest(broker.bootstrapServers(), dir.resolve("scp" + r), files);
        preprocessShare[r] = lastPreprocessSeconds / scp[r];
        if (withStore) {
          settle(dir.resolve("dcmtk" + r));
          stored[r] =
              ingest(
                  broker.bootstrapServers(),
                  dir.resolve("store-scp" + r),
                  files,
                  dir.resolve("image-store" + r));
          System.out.printf(
              Locale.ROOT,
              "  round %d: ingest SCP with the image store %.2f s, /storescp %.2f%n",
              r + 1,
              stored[r],
              dcmtk[r] / stored[r]);
        }
        System.out.printf(
            Locale.ROOT,
            "  round %d: storescp %.2f s, ingest SCP %.2f s (preprocessing %.0f%% of it),"
                + " SCP/storescp %.2f%n",
            r + 1,
            dcmtk[r],
            scp[r],
            100 * preprocessShare[r],
            dcmtk[r] / scp[r]);
      }
    }
    double[] ratios = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      ratios[r] = dcmtk[r] / scp[r];
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    double median = sorted[ROUNDS / 2];
    double scpMed = median(scp);
    double dcmtkMed = median(dcmtk);
    System.out.printf(
        Locale.ROOT,
        "bench scp: %d full-size files (%.0f MB) over one storescu association on loopback,"
            + " %d alternating rounds (median)%n",
        files.size(),
        bytes / 1e6,
        ROUNDS);
    System.out.printf(
        Locale.ROOT,
        "  ingest SCP (receive, preprocess, Kafka ack): %.2f s, %.1f files/s, %.1f MB/s;"
            + " decode and preprocessing (ingest's image work) %.0f%% of its time%n",
        scpMed,
        files.size() / scpMed,
        bytes / 1e6 / scpMed,
        100 * median(preprocessShare));
    System.out.printf(
        Locale.ROOT,
        "  dcmtk storescp (receive, write file):        %.2f s, %.1f files/s, %.1f MB/s%n",
        dcmtkMed,
        files.size() / dcmtkMed,
        bytes / 1e6 / dcmtkMed);
    System.out.printf(
        Locale.ROOT,
        "  SCP/storescp = %.2f (median of rounds, range %.2f-%.2f); goal >= %.2f: %s%n",
        median,
        sorted[0],
        sorted[ROUNDS - 1],
        GOAL,
        median >= GOAL ? "met" : "NOT met");
    BenchReport rep =
        BenchReport.current()
            .measure(
                "scp",
                "SCP/storescp (files/s)",
                median,
                sorted[0],
                sorted[ROUNDS - 1],
                "range of " + ROUNDS + " rounds",
                "x",
                String.format(Locale.ROOT, ">= %.2f", GOAL),
                GOAL,
                median >= GOAL ? "met" : "NOT met")
            .note(
                "scp",
                String.format(
                    Locale.ROOT,
                    "%d full-size files (%.0f MB) over one storescu association on loopback: ingest"
                        + " SCP (receive, preprocess, Kafka ack) %.2f s, %.1f MB/s; dcmtk storescp"
                        + " (receive, write file) %.2f s, %.1f MB/s; medians of %d alternating rounds",
                    files.size(),
                    bytes / 1e6,
                    scpMed,
                    bytes / 1e6 / scpMed,
                    dcmtkMed,
                    bytes / 1e6 / dcmtkMed,
                    ROUNDS));
    double[] perRound = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      perRound[r] = dcmtk[r] / scp[r];
    }
    Map<String, double[]> series = new java.util.LinkedHashMap<>();
    series.put("SCP/storescp", perRound);
    if (withStore) {
      double[] storeRatios = new double[ROUNDS];
      double[] storeOverDefault = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        storeRatios[r] = dcmtk[r] / stored[r];
        storeOverDefault[r] = scp[r] / stored[r];
      }
      double storeMed = median(stored);
      System.out.printf(
          Locale.ROOT,
          "  ingest SCP with the image store (images.store.dir: each working image written and"
              + " synced to a file while its record goes to Kafka): %.2f s, %.1f files/s,"
              + " %.1f MB/s; its speed against the SCP without the store %.2f (median of rounds)%n",
          storeMed,
          files.size() / storeMed,
          bytes / 1e6 / storeMed,
          median(storeOverDefault));
      System.out.printf(
          Locale.ROOT,
          "  SCP with the image store/storescp = %.2f (median of rounds); goal >= %.2f: %s%n",
          median(storeRatios),
          GOAL,
          median(storeRatios) >= GOAL ? "met" : "NOT met");
      double[] st = storeRatios.clone();
      Arrays.sort(st);
      rep.measure(
          "scp",
          "SCP with the image store/storescp",
          median(storeRatios),
          st[0],
          st[ROUNDS - 1],
          "range of " + ROUNDS + " rounds",
          "x",
          String.format(Locale.ROOT, ">= %.2f", GOAL),
          GOAL,
          median(storeRatios) >= GOAL ? "met" : "NOT met");
      series.put("with the image store/storescp", storeRatios);
    }
    rep.runs("scp", "SCP/storescp each round", "ratio", series, GOAL);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Seconds for storescu to send {@code files} to a fresh ingest SCP. */
  private static double ingest(String bootstrap, Path spool, List<Path> files) throws Exception {
    return ingest(bootstrap, spool, files, null);
  }

  /** As above; {@code store} non-null: the SCP writes working images there (images.store.dir). */
  private static double ingest(String bootstrap, Path spool, List<Path> files, Path store)
      throws Exception {
    MammoConfig cfg =
        ConfigLoader.load(
            IngestConfig.define(CommonConfig.define()),
            null,
            Map.of(),
            Map.of(
                CommonConfig.KAFKA_BOOTSTRAP,
                bootstrap,
                IngestConfig.PSEUDONYM_SECRET,
                "bench-secret-0123456789-0123456789",
                IngestConfig.MAX_PDU_LENGTH,
                String.valueOf(STORESCP_MAX_PDU),
                CommonConfig.IMAGES_STORE_DIR,
                store == null ? "" : store.toString()));
    var registry = OpsServer.newRegistry();
    try (IngestRuntime runtime = new IngestRuntime(cfg, registry);
        DicomScp scp =
            new DicomScp(
                ScpSettings.fromConfig(cfg, runtime.limits().maxBytes()).withPort(0),
                runtime.pipeline(),
                Files.createDirectories(spool),
                OpsServer.newRegistry())) {
      double secs = send(scp.port(), cfg.getString(IngestConfig.AE_TITLE), files);
      lastPreprocessSeconds =
          registry
                  .get("mammotriage_ingest_preprocess")
                  .timer()
                  .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)
              / 1e9;
      return secs;
    }
  }

  /** Whether each round also runs the ingest SCP with an image store. */
  private static boolean withStore;

  /** Decode and preprocessing time of the last {@link #ingest} round, summed over instances. */
  private static double lastPreprocessSeconds;

  /**
   * Deletes a finished storescp round's files and waits for the kernel to write back what is dirty
   * ({@code sync}), so neither receiver's round pays for the other's writes.
   */
  private static void settle(Path done) throws Exception {
    BenchPipeline.deleteTree(done);
    new ProcessBuilder("sync").inheritIO().start().waitFor();
  }

  /**
   * The maximum PDU both receivers offer: storescp's largest (its range is 4096..131072; its
   * default, 16 KiB, alone makes it slower), set on the ingest SCP too ({@code
   * ingest.dicom.max.pdu.length}).
   */
  static final int STORESCP_MAX_PDU = 131_072;

  /** Seconds for storescu to send {@code files} to dcmtk's storescp writing into {@code out}. */
  private static double storescp(Path out, List<Path> files) throws Exception {
    Files.createDirectories(out);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p =
        // the same maximum PDU as the ingest SCP offers, and bit-preserving: received bytes to a
        // file, no conversion
        new ProcessBuilder(
                "storescp",
                "--max-pdu",
                String.valueOf(STORESCP_MAX_PDU),
                "--bit-preserving",
                "-aet",
                "STORESCP",
                "-od",
                out.toString(),
                "" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      waitListening(port, p);
      return send(port, "STORESCP", files);
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  private static double send(int port, String calledAe, List<Path> files) throws Exception {
    long t0 = System.nanoTime();
    Map<String, String> res =
        StorescuClient.send(
            "127.0.0.1", port, "BENCH", calledAe, List.of(), new ArrayList<>(files));
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, String> failed = new HashMap<>(res);
    failed.values().removeIf(v -> v.startsWith("Success"));
    if (res.size() != files.size() || !failed.isEmpty()) {
      throw new IllegalStateException("not every file was stored at " + calledAe + ": " + failed);
    }
    return secs;
  }

  private static void waitListening(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("storescp exited (" + p.exitValue() + ")");
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.onSpinWait();
      }
    }
    throw new IllegalStateException("storescp did not listen on " + port + " within 10 s");
  }
}
