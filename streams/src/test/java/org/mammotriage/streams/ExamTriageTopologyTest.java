package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.testing.TestModels;

/**
 * The topology with a real ONNX model whose outputs are known functions of brightness: all views
 * white (255) → suspicious and risk elevated; mid grey (128) → routine; black (0) → low (manifest
 * thresholds 0.6 / 0.2 / 0.3). The model is contract 2 (images encoded on arrival, the head at
 * release); {@link ExamTriageTopologyContractOneTest} runs every test again on the contract-1 model
 * of the same functions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExamTriageTopologyTest {
  static final long QUIET = 60_000;
  static final long RETENTION = 600_000;
  Path models;
  OnnxExamScorer scorer;
  static final SerdeFactory SERDES = SerdeFactory.singleObject();
  TopologyTestDriver driver;
  TestInputTopic<String, MammogramImage> images;
  long clock = 1_700_000_000_000L;

  /** The model directory the tests run on. */
  Path writeModel(Path dir) {
    return TestModels.writeV2(dir, TestModels.Kind.KNOWN, 30, 18);
  }

  @BeforeAll
  void model() throws java.io.IOException {
    models = java.nio.file.Files.createTempDirectory("topology-test");
    scorer = new OnnxExamScorer(writeModel(models.resolve("m")), "cpu", false, 1, 1, 0);
  }

  @AfterAll
  void closeModel() throws java.io.IOException {
    scorer.close();
    try (var files = java.nio.file.Files.walk(models)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  void start(TriageSettings s) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Deserialization.class);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Processing.class);
    driver =
        new TopologyTestDriver(
            ExamTriageTopology.build(
                s, scorer, SERDES, new StreamsMetrics(OpsServer.newRegistry())),
            p,
            Instant.ofEpochMilli(clock));
    images =
        driver.createInputTopic(
            Topics.IMAGES.name(),
            new StringSerializer(),
            Topics.IMAGES.valueSerde(SERDES).serializer());
  }

  void start() {
    start(TriageSettings.defaults().withQuietPeriod(QUIET).withRetention(RETENTION));
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  static byte[] png(int gray) {
    BufferedImage img = new BufferedImage(46, 76, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 76; y++) {
      for (int x = 0; x < 46; x++) {
        img.getRaster().setSample(x, y, 0, gray);
      }
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static MammogramImage image(
      String study,
      String sop,
      String lat,
      String view,
      int gray,
      long acquired,
      int instance,
      List<String> modifiers) {
    return MammogramImage.newBuilder()
        .setStudyInstanceUid(study)
        .setSeriesInstanceUid(study + ".1")
        .setSopInstanceUid(sop)
        .setSopClassUid("1.2.840.10008.5.1.4.1.1.1.2")
        .setAccessionNumber("ACC-" + study)
        .setPatientKey("pk")
        .setLaterality(Laterality.valueOf(lat))
        .setView(view)
        .setViewModifiers(modifiers)
        .setPresentationIntent("FOR PRESENTATION")
        .setAcquisitionTime(Instant.ofEpochMilli(acquired))
        .setInstanceNumber(instance)
        .setOriginalRows(4096)
        .setOriginalColumns(3328)
        .setPreprocessingVersion("test")
        .setWorkingRows(76)
        .setWorkingColumns(46)
        .setWorkingImagePng(ByteBuffer.wrap(png(gray)))
        .setReceivedAt(Instant.ofEpochMilli(acquired))
        .setSourceAe("TEST")
        .build();
  }

  void send(MammogramImage i) {
    images.pipeInput(i.getStudyInstanceUid(), i, clock);
  }

  void sendExam(String study, int gray, String... slots) {
    int n = 1;
    for (String s : slots) {
      send(
          image(
              study,
              study + "." + s,
              s.substring(0, 1),
              s.substring(2),
              gray,
              1000 + n,
              n,
              List.of()));
      n++;
    }
  }

  void sendExam(String study, int gray) {
    sendExam(study, gray, "L_CC", "L_MLO", "R_CC", "R_MLO");
  }

  void advance(long ms) {
    clock += ms;
    driver.advanceWallClockTime(Duration.ofMillis(ms));
  }

  List<ExamScore> scores() {
    TestOutputTopic<String, ExamScore> t =
        driver.createOutputTopic(
            Topics.SCORES.name(),
            Serdes.String().deserializer(),
            Topics.SCORES.valueSerde(SERDES).deserializer());
    return t.readValuesToList();
  }

  List<TriageDecision> decisions(String topic) {
    return driver
        .createOutputTopic(
            topic,
            Serdes.String().deserializer(),
            SERDES.serde(TriageDecision.class, false).deserializer())
        .readValuesToList();
  }

  @Test
  void shouldReleaseOneDecisionWhenFourViewsArrive() {
    start();
    sendExam("s1", 255);
    List<ExamScore> s = scores();
    assertThat(s).hasSize(1);
    assertThat(s.get(0).getExamVersion()).isEqualTo(1);
    assertThat(s.get(0).getSlotsFilled()).containsExactly("L_CC", "L_MLO", "R_CC", "R_MLO");
    assertThat(s.get(0).getModel().getIntendedUse()).contains("not for clinical use");
    List<TriageDecision> susp = decisions(Topics.SUSPICIOUS.name());
    assertThat(susp)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getExamKey()).isEqualTo("s1");
              assertThat(d.getReasonCodes()).contains("CATEGORY_SUSPICIOUS", "RISK_5Y_ELEVATED");
              assertThat(d.getModelId()).startsWith("test-known:1:");
            });
    assertThat(decisions(Topics.RISK_ELEVATED.name())).hasSize(1);
    assertThat(decisions(Topics.ROUTINE.name())).isEmpty();
    assertThat(decisions(Topics.LOW.name())).isEmpty();
    assertThat(decisions(Topics.INCOMPLETE.name())).isEmpty();
  }

  @Test
  void shouldIgnoreTheSameInstanceSentTwice() {
    start();
    MammogramImage lcc = image("s2", "s2.L_CC", "L", "CC", 0, 1, 1, List.of());
    send(lcc);
    send(lcc);
    sendExam("s2", 0, "L_MLO", "R_CC", "R_MLO");
    send(lcc);
    assertThat(scores()).hasSize(1);
    assertThat(decisions(Topics.LOW.name())).hasSize(1);
  }

  @Test
  void shouldReplaceASlotWithALaterRetakeOnly() {
    start();
    send(image("s3", "s3.first", "L", "CC", 0, 1_000, 1, List.of()));
    send(image("s3", "s3.retake", "L", "CC", 255, 2_000, 2, List.of()));
    send(image("s3", "s3.older", "L", "CC", 128, 500, 3, List.of()));
    sendExam("s3", 0, "L_MLO", "R_CC", "R_MLO");
    ExamScore s = scores().get(0);
    assertThat(s.getSopInstanceUids()).contains("s3.retake").doesNotContain("s3.first", "s3.older");
    double left =
        TestModels.expectedMalignancy((TestModels.normalised(255) + TestModels.normalised(0)) / 2);
    assertThat(s.getMalignancyLeft()).isCloseTo(left, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void shouldKeepExtraAndModifiedViewsWithoutSlottingThem() {
    start();
    send(image("s4", "s4.xccl", "L", "XCCL", 255, 1, 9, List.of()));
    send(image("s4", "s4.spot", "R", "CC", 255, 1, 10, List.of("SPOT_COMPRESSION")));
    assertThat(scores()).as("extra views alone release nothing").isEmpty();
    sendExam("s4", 0);
    ExamScore s = scores().get(0);
    assertThat(s.getExtraViews()).containsExactlyInAnyOrder("L_XCCL", "R_CC_SPOT_COMPRESSION");
    assertThat(s.getCategory()).isEqualTo("low");
  }

  @Test
  void shouldReleaseAPartialExamAfterTheQuietPeriodWithReasonCodes() {
    start();
    sendExam("s5", 0, "L_CC", "L_MLO", "R_CC");
    advance(QUIET / 2);
    assertThat(scores()).as("not before the quiet period").isEmpty();
    advance(QUIET);
    List<ExamScore> s = scores();
    assertThat(s)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getSlotsMissing()).containsExactly("R_MLO");
              assertThat(e.getReasonCodes()).contains("MISSING_R_MLO", "PARTIAL_QUIET_PERIOD");
            });
    advance(QUIET * 2);
    assertThat(scores()).as("released once").isEmpty();
  }

  @Test
  void shouldReleaseVersionTwoWhenALateImageChangesASlot() {
    start();
    sendExam("s6", 0, "L_CC", "L_MLO", "R_CC");
    advance(QUIET + 1);
    assertThat(scores()).hasSize(1);
    sendExam("s6", 255, "R_MLO");
    List<ExamScore> v2 = scores();
    assertThat(v2)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getExamVersion()).isEqualTo(2);
              assertThat(e.getSlotsMissing()).isEmpty();
              assertThat(e.getReasonCodes()).contains("AMENDED_VERSION_2");
            });
    List<TriageDecision> all = new java.util.ArrayList<>();
    for (String t :
        List.of(
            Topics.SUSPICIOUS.name(),
            Topics.ROUTINE.name(),
            Topics.LOW.name(),
            Topics.INCOMPLETE.name())) {
      all.addAll(decisions(t));
    }
    assertThat(all).extracting(TriageDecision::getExamVersion).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void shouldScoreAUnilateralExamForTheBreastPresent() {
    start();
    sendExam("s7", 255, "L_CC", "L_MLO");
    advance(QUIET + 1);
    ExamScore s = scores().get(0);
    assertThat(s.getCategory()).isEqualTo("suspicious");
    assertThat(s.getMalignancyLeft()).isNotNull();
    assertThat(s.getMalignancyRight()).isNull();
    assertThat(s.getReasonCodes()).contains("UNILATERAL", "MISSING_R_CC", "MISSING_R_MLO");
  }

  @Test
  void shouldRouteAUnilateralExamWithALowScoreToIncompleteNotLow() {
    start();
    sendExam("s7b", 0, "R_CC", "R_MLO");
    advance(QUIET + 1);
    ExamScore s = scores().get(0);
    assertThat(s.getMalignancyLeft()).isNull();
    assertThat(s.getMalignancyRight()).isNotNull();
    assertThat(s.getCategory()).isEqualTo("incomplete");
    assertThat(s.getReasonCodes()).contains("UNILATERAL", "BREAST_UNSEEN_L");
    assertThat(decisions(Topics.LOW.name())).isEmpty();
    assertThat(decisions(Topics.ROUTINE.name())).isEmpty();
    assertThat(decisions(Topics.INCOMPLETE.name())).hasSize(1);
  }

  @Test
  void shouldRouteAnExamWithNothingScorableToIncomplete() {
    start();
    send(image("s8", "s8.x", "L", "XCCL", 255, 1, 1, List.of()));
    advance(QUIET + 1);
    assertThat(decisions(Topics.INCOMPLETE.name()))
        .singleElement()
        .satisfies(d -> assertThat(d.getReasonCodes()).contains("UNSCORABLE_NO_VIEWS"));
  }

  @Test
  void shouldTakeThresholdsFromTheManifestUnlessConfigured() {
    start();
    sendExam("s9", 128);
    assertThat(decisions(Topics.ROUTINE.name())).hasSize(1);
    assertThat(scores().get(0).getThresholds().getSource()).isEqualTo("manifest");
    driver.close();
    start(TriageSettings.defaults().withQuietPeriod(QUIET).withThresholds(0.25, null, 0.99));
    sendExam("s9", 128);
    assertThat(decisions(Topics.SUSPICIOUS.name())).hasSize(1);
    assertThat(decisions(Topics.RISK_ELEVATED.name())).isEmpty();
    ExamScore s = scores().get(0);
    assertThat(s.getThresholds().getSource()).isEqualTo("config");
    assertThat(s.getThresholds().getLow()).isEqualTo(0.2);
  }

  @Test
  void shouldRemoveReleasedExamsAfterTheRetentionPeriod() {
    start();
    sendExam("s10", 0);
    var store = driver.<String, Object>getKeyValueStore(ExamTriageTopology.STORE);
    assertThat(store.get("s10")).isNotNull();
    advance(RETENTION / 2);
    assertThat(store.get("s10")).as("kept for late images").isNotNull();
    advance(RETENTION);
    assertThat(store.get("s10")).isNull();
    try (var it = store.all()) {
      assertThat(it.hasNext()).as("store empty").isFalse();
    }
  }

  /** An exam waiting for release, written to the store directly (as a restored store holds it). */
  static org.mammotriage.schemas.avro.ExamAssemblyState waitingExam(
      String study, long lastImageAt) {
    return org.mammotriage.schemas.avro.ExamAssemblyState.newBuilder()
        .setStudyInstanceUid(study)
        .setPatientKey("pk")
        .setFirstImageAt(lastImageAt)
        .setLastImageAt(lastImageAt)
        .build();
  }

  @Test
  void shouldReleaseAnExamTheStoreHeldBeforeTheProcessorWroteAnything() {
    start();
    var store =
        driver.<String, org.mammotriage.schemas.avro.ExamAssemblyState>getKeyValueStore(
            ExamTriageTopology.STORE);
    store.put("s30", waitingExam("s30", clock));
    advance(QUIET / 2);
    assertThat(scores()).as("not before the quiet period").isEmpty();
    advance(QUIET);
    assertThat(scores())
        .singleElement()
        .satisfies(e -> assertThat(e.getExamVersion()).isEqualTo(1));
    advance(RETENTION * 2);
    assertThat(store.get("s30")).as("removed after the retention period").isNull();
  }

  @Test
  void shouldFindAnExamTheDeadlineIndexMissedWithinOnePassOverTheStore() {
    start();
    sendExam("s31", 0, "L_CC");
    advance(QUIET / 4 + 1); // the first punctuation: the index is built
    var store =
        driver.<String, org.mammotriage.schemas.avro.ExamAssemblyState>getKeyValueStore(
            ExamTriageTopology.STORE);
    // written past the processor, as a defect would: only the slice check can find it
    store.put("s32", waitingExam("s32", clock));
    advance(QUIET * 2);
    assertThat(scores()).extracting(ExamScore::getExamKey).containsExactlyInAnyOrder("s31", "s32");
  }

  @Test
  void shouldSendAnUnreadableRecordToTheDlqAndGoOn() {
    start();
    driver
        .createInputTopic(Topics.IMAGES.name(), new StringSerializer(), new ByteArraySerializer())
        .pipeInput("bad", new byte[] {1, 2, 3}, clock);
    sendExam("s11", 0);
    List<RejectedInstance> dlq =
        driver
            .createOutputTopic(
                Topics.INGEST_DLQ.name(),
                Serdes.String().deserializer(),
                Topics.INGEST_DLQ.valueSerde(SERDES).deserializer())
            .readValuesToList();
    assertThat(dlq)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getStage()).isEqualTo("STREAMS_DESERIALIZE");
              assertThat(r.getSourceTopic()).isEqualTo(Topics.IMAGES.name());
              assertThat(r.getSourceOffset()).isZero();
            });
    assertThat(decisions(Topics.LOW.name())).hasSize(1);
  }

  static Map<String, Object> unused() {
    return Map.of();
  }
}
