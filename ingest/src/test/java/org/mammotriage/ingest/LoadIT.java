package org.mammotriage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.testing.TestImages;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.KafkaTestCluster;

/**
 * Load (#18): 100 dcmtk storescu processes at once, each sending one study of four images over its
 * own association, to an ingest SCP running in a JVM of its own under the heap the product ships
 * with ({@link #SHIPPED_XMX}, k8s/base/ingest/deployment.yaml), then the same 400 instances again.
 * Every C-STORE is answered Success both times; Kafka holds every image exactly once (ingest
 * acknowledges a SOP instance it already published without publishing it again, README "duplicate
 * SOP instances"; the stream ignores a SOP instance it has seen, DESIGN §4, for re-sends older than
 * ingest's duplicate cache); the ingest JVM neither runs out of heap nor dies.
 */
class LoadIT {
  /**
   * The ingest container's heap (k8s/base/ingest/deployment.yaml, 2 GiB limit): the SCP spools each
   * instance to disk and decodes at most {@code ingest.processing.concurrency} (2) at once, about
   * 200 MB each for a full-size 4096x3328 image, plus the Kafka producer's buffer (32 MiB), the
   * duplicate cache (200,000 UIDs) and the JVM's own.
   */
  static final String SHIPPED_XMX = "-Xmx1536m";

  static final int ASSOCIATIONS = 100;
  static final int IMAGES_PER_STUDY = 4;

  @TempDir Path dir;

  @Test
  void shouldStoreEveryImageOnceFrom100ConcurrentAssociationsSentTwice() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      // given: 100 studies of four 640x512 16-bit images (655 KB each)
      List<List<Path>> studies = new ArrayList<>();
      for (int s = 0; s < ASSOCIATIONS; s++) {
        String study = "2.25.7000" + System.nanoTime() % 1_000_000 + "." + s;
        List<Path> files = new ArrayList<>();
        int i = 0;
        for (String lat : List.of("L", "R")) {
          for (String view : List.of("CC", "MLO")) {
            files.add(
                TestImages.mammogram()
                    .size(640, 512)
                    .study(study)
                    .laterality(lat)
                    .view(view)
                    .write(
                        dir.resolve("studies/" + s + "/" + i++ + ".dcm"),
                        TransferSyntax.ExplicitVRLittleEndian));
          }
        }
        studies.add(files);
      }
      Process ingest = startIngest(kafka.bootstrapServers());
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(ingest.getInputStream(), StandardCharsets.UTF_8));
      int port = Integer.parseInt(awaitLine(out, "PORT ").split(" ")[1]);
      List<String> tail = new ArrayList<>();
      CompletableFuture<String> peak =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String l;
                  while ((l = out.readLine()) != null) {
                    if (l.startsWith("PEAK_HEAP_BYTES")) {
                      return l;
                    }
                    if (l.contains(" WARN ") || l.contains(" ERROR ")) {
                      System.out.println("[ingest JVM] " + l);
                    }
                    if (l.contains("OutOfMemoryError") || l.contains(" ERROR ")) {
                      synchronized (tail) {
                        tail.add(l);
                      }
                    }
                  }
                  return "";
                } catch (Exception e) {
                  return "";
                }
              });
      try {
        // when: two rounds of 100 concurrent associations
        Map<String, String> first = sendAll(port, studies);
        Map<String, String> second = sendAll(port, studies);

        // then
        int total = ASSOCIATIONS * IMAGES_PER_STUDY;
        assertThat(first.values()).hasSize(total).allMatch("Success"::equals);
        assertThat(second.values()).hasSize(total).allMatch("Success"::equals);
        var de = SerdeFactory.singleObject().serde(MammogramImage.class, false).deserializer();
        List<MammogramImage> images =
            kafka
                .consumeAll(
                    Topics.IMAGES.name(), new ByteArrayDeserializer(), Duration.ofSeconds(3))
                .stream()
                .map(r -> de.deserialize("t", r.value()))
                .toList();
        Map<String, Long> perSop =
            images.stream()
                .collect(
                    Collectors.groupingBy(
                        MammogramImage::getSopInstanceUid, Collectors.counting()));
        assertThat(perSop).hasSize(total);
        assertThat(perSop.values()).allMatch(n -> n == 1);
        assertThat(ingest.isAlive()).as("the ingest JVM is still up").isTrue();
        assertThat(
                ScpHardeningIT.Tool.run(
                        "echoscu", "-aec", "MAMMOTRIAGE", "127.0.0.1", String.valueOf(port))
                    .exitCode())
            .isZero();
      } finally {
        try (Writer w = new OutputStreamWriter(ingest.getOutputStream(), StandardCharsets.UTF_8)) {
          w.write("stop\n");
        }
        assertThat(ingest.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      String[] heap = peak.get(10, TimeUnit.SECONDS).split(" ");
      assertThat(heap).as("the ingest JVM reported its heap").hasSize(6);
      long peakBytes = Long.parseLong(heap[1]);
      long maxBytes = Long.parseLong(heap[3]);
      long afterGcBytes = Long.parseLong(heap[5]);
      System.out.printf(
          Locale.ROOT,
          "LOAD: %d associations x %d images, sent twice: %d C-STOREs answered Success, %d images"
              + " in Kafka (each SOP instance once); ingest JVM %s: at most %.0f MiB in use after a"
              + " collection, pools' peaks summed %.0f MiB, limit %.0f MiB%n",
          ASSOCIATIONS,
          IMAGES_PER_STUDY,
          2 * ASSOCIATIONS * IMAGES_PER_STUDY,
          ASSOCIATIONS * IMAGES_PER_STUDY,
          SHIPPED_XMX,
          afterGcBytes / 1048576.0,
          peakBytes / 1048576.0,
          maxBytes / 1048576.0);
      assertThat(ingest.exitValue()).isZero();
      assertThat(tail).as("no OutOfMemoryError, no ERROR line").isEmpty();
      try (var spooled = Files.list(dir.resolve("spool"))) {
        assertThat(spooled).as("every received file deleted after its response").isEmpty();
      }
    }
  }

  private Process startIngest(String bootstrap) throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                SHIPPED_XMX,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                cp,
                IngestProcess.class.getName(),
                bootstrap,
                Files.createDirectories(dir.resolve("spool")).toString(),
                // one host opens all 100 associations: the per-peer cap (16 by default) would
                // refuse 84 of them (transient, the modality retries)
                IngestConfig.MAX_ASSOCIATIONS + "=128",
                IngestConfig.MAX_ASSOCIATIONS_PER_PEER + "=128"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static String awaitLine(BufferedReader out, String prefix) throws Exception {
    String l;
    while ((l = out.readLine()) != null) {
      if (l.startsWith(prefix)) {
        return l;
      }
    }
    throw new AssertionError("the ingest JVM ended before printing " + prefix);
  }

  /** One storescu process per study, all at once; file → response. */
  private static Map<String, String> sendAll(int port, List<List<Path>> studies) throws Exception {
    Map<String, String> responses = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(studies.size());
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (List<Path> files : studies) {
        all.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    responses.putAll(Storescu.send(port, "MODALITY", List.of(), files));
                  } catch (Exception e) {
                    files.forEach(f -> responses.put(f.toString(), "FAILED: " + e));
                  }
                },
                pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    return responses;
  }
}
