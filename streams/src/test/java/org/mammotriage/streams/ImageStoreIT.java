package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.ingest.FolderImporter;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.TestModels;

/**
 * The image store (claim check) end to end: the same synthetic archive imported by real ingest into
 * a real broker twice, once with working images in the records and once with {@code
 * images.store.dir}, each scored by the streams app on a real ONNX model. The store changes what
 * travels in Kafka, never a decision; an image whose file is gone makes its exam unscorable with a
 * reason instead of being scored without it.
 */
class ImageStoreIT {
  @TempDir Path dir;

  /** What a decision is, per study: its last version's category, scores and why. */
  record Decided(String category, boolean scorable, String unscorable, Double suspicion) {}

  @Test
  void shouldDecideEveryExamAsWithPixelsInKafkaAndNameAnImageTheStoreLost() throws Exception {
    SyntheticArchive.of(SynthOptions.defaults(5, 71).withScale(0.05)).generate(dir.resolve("a"));
    Set<String> studies =
        Files.readAllLines(dir.resolve("a/truth.csv")).stream()
            .skip(1)
            .map(l -> l.split(",")[1])
            .collect(Collectors.toSet());
    Path model = TestModels.writeV2(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);

    Map<String, Decided> inKafka = run("kafka", null, model, studies, null);

    Path store = dir.resolve("store");
    String[] lost = new String[1];
    Map<String, Decided> viaStore = run("store", store, model, studies, lost);

    assertThat(lost[0]).as("a study whose image file was deleted").isNotNull();
    assertThat(viaStore.get(lost[0]))
        .isEqualTo(new Decided("incomplete", false, SlotImages.IMAGE_NOT_IN_STORE, null));
    Map<String, Decided> others = new HashMap<>(viaStore);
    others.remove(lost[0]);
    Map<String, Decided> expected = new HashMap<>(inKafka);
    expected.remove(lost[0]);
    assertThat(others).isEqualTo(expected);
    assertThat(inKafka.values()).anyMatch(Decided::scorable);
  }

  /**
   * Imports the archive into a fresh broker (with the image store at {@code store}, or none), and
   * when there is a store deletes one image's file (its study goes to {@code lost[0]}) before the
   * streams app scores everything; the last decision per study.
   */
  private Map<String, Decided> run(
      String name, Path store, Path model, Set<String> studies, String[] lost) throws Exception {
    Map<String, String> common = new HashMap<>();
    if (store != null) {
      common.put(CommonConfig.IMAGES_STORE_DIR, store.toString());
    }
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Map<String, String> ingest = new HashMap<>(common);
      ingest.put(CommonConfig.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
      ingest.put(IngestConfig.PSEUDONYM_SECRET, "image-store-secret-0123456789");
      var ingestCfg =
          ConfigLoader.load(IngestConfig.define(CommonConfig.define()), null, Map.of(), ingest);
      try (IngestRuntime rt = new IngestRuntime(ingestCfg, OpsServer.newRegistry())) {
        assertThat(rt.images().enabled()).isEqualTo(store != null);
        FolderImporter.Summary s =
            new FolderImporter(rt.pipeline()).importFolder(dir.resolve("a"), line -> {});
        assertThat(s.stored()).isGreaterThanOrEqualTo(4 * studies.size());
      }
      List<MammogramImage> images = images(kafka);
      if (store == null) {
        assertThat(images).allMatch(i -> i.getWorkingImagePng() != null);
      } else {
        // what travels in Kafka is the reference, never the pixels
        assertThat(images)
            .allMatch(i -> i.getWorkingImagePng() == null && i.getWorkingImageRef() != null);
        MammogramImage gone =
            images.stream()
                .filter(
                    i ->
                        i.getViewModifiers().isEmpty()
                            && Set.of("CC", "MLO").contains(i.getView().toString()))
                .sorted(Comparator.comparing(i -> i.getSopInstanceUid().toString()))
                .findFirst()
                .orElseThrow();
        ImageStore opened = ImageStore.open(store.toString());
        byte[] png = opened.get(gone.getWorkingImageRef());
        assertThat(png.length).isGreaterThan(1_000);
        long sharing =
            images.stream()
                .filter(i -> i.getWorkingImageRef().equals(gone.getWorkingImageRef()))
                .count();
        assertThat(sharing).as("no other image has the same PNG").isEqualTo(1);
        try (var files = Files.walk(store)) {
          String sha = gone.getWorkingImageRef().getSha256().toString();
          Files.delete(
              files
                  .filter(p -> p.getFileName().toString().equals(sha + ".png"))
                  .findFirst()
                  .orElseThrow());
        }
        lost[0] = gone.getStudyInstanceUid().toString();
      }
      try (StreamsApp app =
          new StreamsApp(
              StreamsItSupport.config(
                  kafka.bootstrapServers(),
                  dir.resolve("state-" + name),
                  Map.of(
                      TriageStreamsConfig.QUIET_PERIOD_MS,
                      "600000",
                      CommonConfig.IMAGES_STORE_DIR,
                      store == null ? "" : store.toString())),
              model,
              OpsServer.newRegistry())) {
        app.start();
        // every study here has its four views: each is released when complete
        Await.until(
            Duration.ofSeconds(120),
            () -> StreamsItSupport.scoreCount(kafka) >= studies.size(),
            () -> "a score for each of the " + studies.size() + " studies");
        List<ExamScore> scores = StreamsItSupport.scores(kafka);
        Map<String, ExamScore> last = new HashMap<>();
        for (ExamScore x : scores) {
          last.merge(
              x.getExamKey().toString(),
              x,
              (a, b) -> a.getExamVersion() >= b.getExamVersion() ? a : b);
        }
        assertThat(last.keySet()).isEqualTo(studies);
        if (store != null) {
          assertThat(app.encodeAhead().hits()).as("images read from the store ahead").isPositive();
        }
        return last.entrySet().stream()
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    e ->
                        new Decided(
                            e.getValue().getCategory().toString(),
                            e.getValue().getScorable(),
                            e.getValue().getUnscorableReason() == null
                                ? null
                                : e.getValue().getUnscorableReason().toString(),
                            e.getValue().getSuspicion())));
      }
    }
  }

  private static List<MammogramImage> images(KafkaTestCluster kafka) {
    var de = Topics.IMAGES.valueSerde(StreamsItSupport.SERDES).deserializer();
    List<ConsumerRecord<String, byte[]>> recs =
        kafka.consumeAll(Topics.IMAGES.name(), new ByteArrayDeserializer(), Duration.ofSeconds(2));
    return recs.stream().map(r -> de.deserialize("t", r.value())).toList();
  }
}
