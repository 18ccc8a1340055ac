package org.mammotriage.bench;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.mammotriage.ingest.InstanceDecoder;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.ingest.publish.KafkaPublisher;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;

/**
 * Decode + preprocess time per full-size image for both synthetic vendors, against a Python
 * baseline (pydicom, numpy, OpenCV) doing the same steps on the same files; then images/s and MB/s
 * into Kafka through the ingest publisher against a bare producer sending records of the same size,
 * both waiting for each acknowledgement.
 */
final class IngestBench {
  private IngestBench() {}

  static void run(int reps) throws Exception {
    Path dir = Files.createTempDirectory("bench-ingest");
    SyntheticArchive.of(SynthOptions.defaults(4, 2)).generate(dir.resolve("a"));
    Map<String, Path> byVendor = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      for (Path p : s.filter(f -> f.toString().endsWith("L_CC.dcm")).sorted().toList()) {
        AttributeList h = new AttributeList();
        h.read(p.toFile(), TagFromName.PixelData);
        String key =
            Attribute.getSingleStringValueOrEmptyString(h, TagFromName.Manufacturer)
                + " "
                + Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Rows, 0)
                + "x"
                + Attribute.getSingleIntegerValueOrDefault(h, TagFromName.Columns, 0)
                + " "
                + Attribute.getSingleStringValueOrEmptyString(
                    h, TagFromName.PhotometricInterpretation);
        byVendor.putIfAbsent(key, p);
      }
    }
    Path script = dir.resolve("baseline.py");
    try (InputStream in = IngestBench.class.getResourceAsStream("/bench/preprocess_baseline.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    // Python serves one path a line, so each repetition times Python and Java back to back on
    // the same file: both see the same machine (the one this runs on is shared and its load moves)
    Process py =
        new ProcessBuilder("/usr/bin/python3", script.toString(), "--serve")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    java.io.BufferedWriter toPy =
        new java.io.BufferedWriter(new java.io.OutputStreamWriter(py.getOutputStream()));
    java.io.BufferedReader fromPy =
        new java.io.BufferedReader(new java.io.InputStreamReader(py.getInputStream()));
    java.util.function.ToDoubleFunction<Path> python =
        p -> {
          try {
            toPy.write(p.toString());
            toPy.newLine();
            toPy.flush();
            String line = fromPy.readLine();
            if (line == null) {
              throw new IllegalStateException(
                  "the Python baseline stopped (needs Debian python3-pydicom, python3-numpy,"
                      + " python3-opencv; ./run bench installs them); its error is above");
            }
            return Double.parseDouble(line.trim());
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    System.out.printf(
        Locale.ROOT,
        "bench ingest: decode + preprocess to 1520x912 PNG, median of %d interleaved runs per"
            + " image (Python, then Java, on the same file)%n",
        reps);
    System.out.println(
        "  image                                          java ms  (full parse)   python ms  "
            + " python/java");
    Preprocessor pp = Preprocessor.defaults();
    InstanceDecoder decoder =
        new InstanceDecoder(
            new InstanceClassifier(false, Limits.defaults()), Limits.defaults(), pp);
    WorkingImage last = null;
    for (int w = 0; w < 3; w++) {
      for (Path p : byVendor.values()) {
        last = ingest(decoder, p); // warm-up on every image first: the JIT compiles the hot loops
        process(pp, p);
        python.applyAsDouble(p);
      }
    }
    for (Map.Entry<String, Path> e : byVendor.entrySet()) {
      System.gc(); // the archive generated above leaves garbage; do not time its collection
      double[] javaRuns = new double[reps];
      double[] fullRuns = new double[reps];
      double[] pyRuns = new double[reps];
      for (int i = 0; i < reps; i++) {
        pyRuns[i] = python.applyAsDouble(e.getValue());
        long t0 = System.nanoTime();
        last = ingest(decoder, e.getValue());
        long t1 = System.nanoTime();
        process(pp, e.getValue());
        fullRuns[i] = (System.nanoTime() - t1) / 1e6;
        javaRuns[i] = (t1 - t0) / 1e6;
      }
      double javaMs = median(javaRuns);
      double fullMs = median(fullRuns);
      double pythonMs = median(pyRuns);
      System.out.printf(
          Locale.ROOT,
          "  %-46s %7.1f  %12.1f   %9.1f   %11.2f   goal >= 2.00: %s   (%s; %s)%n",
          e.getKey(),
          javaMs,
          fullMs,
          pythonMs,
          pythonMs / javaMs,
          pythonMs / javaMs >= 2.0 ? "met" : "NOT met",
          dir.relativize(e.getValue()),
          last.version().replaceAll(".*(crop=[0-9,]+).*", "$1"));
      double ratio = pythonMs / javaMs;
      BenchReport.current()
          .measure(
              "ingest",
              "decode + preprocess, Python/Java, " + e.getKey(),
              ratio,
              "x",
              ">= 2.00",
              2.0,
              ratio >= 2.0 ? "met" : "NOT met")
          .note(
              "ingest",
              String.format(
                  Locale.ROOT,
                  "%s: Java (ingest's path) %.1f ms, full parse %.1f ms, Python (pydicom + numpy +"
                      + " OpenCV) %.1f ms, medians of %d interleaved runs",
                  e.getKey(),
                  javaMs,
                  fullMs,
                  pythonMs,
                  reps));
    }
    toPy.close();
    py.waitFor();
    System.out.println(
        "  java: ingest's path (structure walk, header parse, pixel data read straight from the"
            + " file, preprocess, PNG); full parse: PixelMed reads the whole file, then the same"
            + " preprocessing");
    kafka(dir, last);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    int n = c.length;
    return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  }

  /** What ingest does with a received file: {@link InstanceDecoder#inspect} then decode. */
  private static WorkingImage ingest(InstanceDecoder decoder, Path file) throws Exception {
    AttributeList header = new AttributeList();
    InstanceDecoder.Header h = decoder.inspect(file, Files.size(file), header);
    return decoder.decode(file, header, h).workingImage();
  }

  private static WorkingImage process(Preprocessor pp, Path file) throws Exception {
    AttributeList l = new AttributeList();
    l.read(file.toFile());
    return pp.process(l);
  }

  private static final int ROUNDS = 7;

  private static void kafka(Path dir, WorkingImage sample) throws Exception {
    int n = 100;
    try (EmbeddedBroker broker = EmbeddedBroker.create(dir.resolve("kafka"), 0).start()) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        TopicAdmin.ensureTopics(admin, (short) 1, null);
      }
      Map<String, Object> props =
          Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      List<MammogramImage> images = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        images.add(
            MammogramImage.newBuilder()
                .setStudyInstanceUid("2.25." + (i / 4))
                .setSeriesInstanceUid("2.25.9")
                .setSopInstanceUid("2.25.1" + i)
                .setSopClassUid("1.2.840.10008.5.1.4.1.1.1.2")
                .setPatientKey("k")
                .setLaterality(Laterality.L)
                .setView("CC")
                .setPresentationIntent("FOR PRESENTATION")
                .setOriginalRows(4096)
                .setOriginalColumns(3328)
                .setPreprocessingVersion(sample.version())
                .setWorkingRows(1520)
                .setWorkingColumns(912)
                .setWorkingImagePng(ByteBuffer.wrap(sample.png()))
                .setReceivedAt(java.time.Instant.now())
                .setSourceAe("BENCH")
                .build());
      }
      publisherVsBare(props, images, "a full-size working image");
      // with images.store.dir set the publisher sends the same record with a reference instead of
      // the PNG (the store's write is the pipeline's, before the publisher): the same comparison
      Path storeDir = dir.resolve("image-store");
      ImageStore store = ImageStore.open(storeDir.toString());
      List<MammogramImage> referenced = new ArrayList<>();
      for (MammogramImage m : images) {
        referenced.add(store.checkIn(MammogramImage.newBuilder(m).build()));
      }
      publisherVsBare(props, referenced, "a reference to a working image in an image store");
    }
  }

  /**
   * The ingest publisher against a bare producer with the publisher's own settings sending the same
   * records, alternating record by record.
   */
  private static void publisherVsBare(
      Map<String, Object> props, List<MammogramImage> images, String what) throws Exception {
    int n = images.size();
    byte[][] serialized = new byte[n][];
    var ser = Topics.IMAGES.valueSerde(SerdeFactory.singleObject()).serializer();
    for (int i = 0; i < n; i++) {
      serialized[i] = ser.serialize(Topics.IMAGES.name(), images.get(i));
    }
    long bytes = serialized[0].length;
    // the bare producer: the publisher's own settings, the same topic, keys and records, and the
    // same serializer called on each send (as the publisher's producer does), each
    // acknowledgement awaited; only the publisher's own code is missing. The two alternate record
    // by record, so a noisy neighbour on the shared cores hits both sides alike.
    Map<String, Object> bareProps = KafkaPublisher.producerConfig(props, 15_000);
    bareProps.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-bare");
    double[] ratios = new double[ROUNDS];
    double pubTotal = 0;
    double bareTotal = 0;
    try (KafkaPublisher pub = new KafkaPublisher(props, SerdeFactory.singleObject(), 15_000);
        KafkaProducer<String, MammogramImage> bare =
            new KafkaProducer<>(
                bareProps,
                new StringSerializer(),
                Topics.IMAGES.valueSerde(SerdeFactory.singleObject()).serializer())) {
      pub.publish(images.get(0)); // warm-up: metadata, connections, the idempotent producer id
      bare.send(new ProducerRecord<>(Topics.IMAGES.name(), "w", images.get(0))).get();
      for (int r = 0; r < ROUNDS; r++) {
        long pubNs = 0;
        long bareNs = 0;
        for (MammogramImage m : images) {
          long t0 = System.nanoTime();
          pub.publish(m);
          long t1 = System.nanoTime();
          bare.send(new ProducerRecord<>(Topics.IMAGES.name(), m.getStudyInstanceUid(), m)).get();
          bareNs += System.nanoTime() - t1;
          pubNs += t1 - t0;
        }
        ratios[r] = (double) bareNs / pubNs;
        pubTotal += pubNs / 1e9;
        bareTotal += bareNs / 1e9;
      }
    }
    double[] sorted = ratios.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[ROUNDS / 2];
    System.out.printf(
        Locale.ROOT,
        "  Kafka, %d records of %s each (%s) to %s, acks=all,"
            + " one at a time, %d rounds, publisher and bare producer alternating record by"
            + " record:%n",
        n,
        bytes >= 100_000
            ? String.format(Locale.ROOT, "%.3f MB", bytes / 1e6)
            : String.format(Locale.ROOT, "%d bytes", bytes),
        what,
        Topics.IMAGES.name(),
        ROUNDS);
    System.out.printf(
        Locale.ROOT,
        "    ingest publisher: %.1f images/s, %.1f MB/s; bare producer (same settings, topic,"
            + " keys, records and serializer): %.1f records/s, %.1f MB/s%n",
        n * ROUNDS / pubTotal,
        n * ROUNDS * bytes / 1e6 / pubTotal,
        n * ROUNDS / bareTotal,
        n * ROUNDS * bytes / 1e6 / bareTotal);
    System.out.printf(
        Locale.ROOT,
        "    publisher/bare = %.2f (median of rounds, range %.2f-%.2f); goal 0.90-1.10: %s%n",
        median,
        sorted[0],
        sorted[ROUNDS - 1],
        median >= 0.9 && median <= 1.1 ? "met" : "NOT met");
    BenchReport.current()
        .measure(
            "ingest",
            "publisher/bare producer (" + what + ")",
            median,
            sorted[0],
            sorted[ROUNDS - 1],
            "range of " + ROUNDS + " rounds",
            "x",
            "0.90-1.10",
            null, // a band: in the table, not drawn as one line
            median >= 0.9 && median <= 1.1 ? "met" : "NOT met")
        .runs(
            "ingest",
            "publisher/bare producer each round (" + what + ")",
            "ratio",
            Map.of("publisher/bare", ratios),
            0.9,
            1.1);
  }
}
