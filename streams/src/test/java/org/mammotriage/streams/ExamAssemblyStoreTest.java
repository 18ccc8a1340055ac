package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.EncodedView;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ModelInfo;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

/**
 * What the {@code exam-assembly-store} holds, read from every record written to its changelog: with
 * a contract-2 model no working image at all, and never a working image for a view once its
 * encoding was stored, whatever the model changes; a late image is encoded alone and the head runs
 * again; after a model change every score comes from the active model alone, its views encoded
 * again from the images read back from {@code mammo.images.v1}.
 */
class ExamAssemblyStoreTest {
  static final long QUIET = 60_000;
  static final SerdeFactory SERDES = SerdeFactory.singleObject();
  @TempDir Path dir;
  TopologyTestDriver driver;
  TestInputTopic<String, MammogramImage> input;
  long clock = 1_700_000_000_000L;
  CountingScorer scorer;
  // what was piped to mammo.images.v1 (one partition in the test driver): offset → image
  final List<MammogramImage> topic = new ArrayList<>();
  boolean archiveHasImages = true;
  final AtomicInteger fetches = new AtomicInteger();

  /** Counts what the stream asks of the scorer. */
  static final class CountingScorer implements ExamScoringService {
    final OnnxExamScorer delegate;
    final AtomicInteger encodes = new AtomicInteger();
    final AtomicInteger heads = new AtomicInteger();
    final AtomicInteger wholeExams = new AtomicInteger();

    CountingScorer(OnnxExamScorer delegate) {
      this.delegate = delegate;
    }

    @Override
    public ScoreResult score(ExamInput exam) {
      wholeExams.incrementAndGet();
      return delegate.score(exam);
    }

    @Override
    public EncodeResult encode(ExamImage image) {
      EncodeResult r = delegate.encode(image);
      if (r.encoded()) {
        encodes.incrementAndGet();
      }
      return r;
    }

    @Override
    public ScoreResult scoreEncoded(String examKey, List<EncodedView> views) {
      heads.incrementAndGet();
      return delegate.scoreEncoded(examKey, views);
    }

    @Override
    public ModelInfo activeModel() {
      return delegate.activeModel();
    }

    @Override
    public String device() {
      return delegate.device();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  void start(Path model) {
    scorer = new CountingScorer(new OnnxExamScorer(model, "cpu", false, 1, 1, 0));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "store-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    ImageArchive archive =
        new ImageArchive() {
          @Override
          public Optional<MammogramImage> fetch(int partition, long offset) {
            fetches.incrementAndGet();
            return archiveHasImages && partition == 0 && offset < topic.size()
                ? Optional.of(topic.get((int) offset))
                : Optional.empty();
          }

          @Override
          public void close() {}
        };
    driver =
        new TopologyTestDriver(
            ExamTriageTopology.build(
                TriageSettings.defaults().withQuietPeriod(QUIET),
                scorer,
                SERDES,
                new StreamsMetrics(OpsServer.newRegistry()),
                (cfg, de) -> archive),
            p,
            Instant.ofEpochMilli(clock));
    input =
        driver.createInputTopic(
            Topics.IMAGES.name(),
            new StringSerializer(),
            Topics.IMAGES.valueSerde(SERDES).serializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
    if (scorer != null) {
      scorer.close();
    }
  }

  Path v2(String name, Kind kind, String version) {
    return TestModels.writeV2(dir.resolve(name), kind, "screening", version, 30, 18);
  }

  Path v1(String name, String version) {
    return TestModels.write(dir.resolve(name), Kind.KNOWN, "screening", version, 30, 18);
  }

  void send(String study, String slot, int gray, int instance) {
    MammogramImage img =
        ExamTriageTopologyTest.image(
            study,
            study + "." + slot + "." + instance,
            slot.substring(0, 1),
            slot.substring(2),
            gray,
            1000 + instance,
            instance,
            List.of());
    topic.add(img);
    input.pipeInput(study, img, clock);
  }

  void advance(long ms) {
    clock += ms;
    driver.advanceWallClockTime(Duration.ofMillis(ms));
  }

  List<ExamScore> scores() {
    return driver
        .createOutputTopic(
            Topics.SCORES.name(),
            Serdes.String().deserializer(),
            Topics.SCORES.valueSerde(SERDES).deserializer())
        .readValuesToList();
  }

  /** Every state written to the store, in order (the store's changelog). */
  List<ExamAssemblyState> changelog() {
    return driver
        .createOutputTopic(
            "store-test-" + ExamTriageTopology.STORE + "-changelog",
            Serdes.String().deserializer(),
            SERDES.serde(ExamAssemblyState.class, false).deserializer())
        .readValuesToList()
        .stream()
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /**
   * The rule: once a view's encoding is in the store, its working image is never written there
   * again. Returns the SOP UIDs seen with an encoding.
   */
  static Set<String> assertNoImageAfterItsEncoding(List<ExamAssemblyState> writes) {
    Set<String> encoded = new HashSet<>();
    for (ExamAssemblyState st : writes) {
      for (SlotImage s : st.getSlots()) {
        if (encoded.contains(s.getSopInstanceUid())) {
          assertThat(s.getPng())
              .as("working image of %s written after its encoding", s.getSopInstanceUid())
              .isNull();
        }
        if (s.getEncoding() != null) {
          assertThat(s.getPng()).as("image and encoding together").isNull();
          encoded.add(s.getSopInstanceUid());
        }
      }
    }
    return encoded;
  }

  static double expectedLeft(int grayCc, int grayMlo) {
    return TestModels.expectedMalignancy(
        (TestModels.normalised(grayCc) + TestModels.normalised(grayMlo)) / 2);
  }

  @Test
  void shouldStoreEncodingsAndNoWorkingImageWithAContractTwoModel() {
    start(v2("a", Kind.KNOWN, "1"));
    for (String s : List.of("L_CC", "L_MLO", "R_CC", "R_MLO")) {
      send("e1", s, 200, 1);
    }
    List<ExamAssemblyState> writes = changelog();
    assertThat(writes).hasSize(4);
    for (ExamAssemblyState st : writes) {
      for (SlotImage s : st.getSlots()) {
        assertThat(s.getPng()).isNull();
        assertThat(s.getEncoding().getModelId()).isEqualTo(scorer.activeModel().id());
        assertThat(s.getEncoding().getEmbedding().remaining()).isEqualTo(4 * TestModels.KNOWN_DIM);
        assertThat(s.getSourcePartition()).isZero();
        assertThat(s.getSourceOffset()).isNotNull();
      }
    }
    assertThat(writes.get(3).getVersion()).as("released with the fourth view").isEqualTo(1);
    assertThat(assertNoImageAfterItsEncoding(writes)).hasSize(4);
    assertThat(scorer.encodes).hasValue(4);
    assertThat(scorer.heads).hasValue(1);
    assertThat(scorer.wholeExams).hasValue(0);
  }

  @Test
  void shouldEncodeOnlyTheLateImageAndRunTheHeadAgainForVersionTwo() {
    start(v2("a", Kind.KNOWN, "1"));
    send("e2", "L_CC", 0, 1);
    send("e2", "L_MLO", 0, 2);
    send("e2", "R_CC", 0, 3);
    advance(QUIET + 1);
    send("e2", "R_MLO", 255, 4);
    List<ExamScore> s = scores();
    assertThat(s).extracting(ExamScore::getExamVersion).containsExactly(1, 2);
    assertThat(s.get(1).getReasonCodes()).contains("AMENDED_VERSION_2");
    assertThat(scorer.encodes).as("each image encoded once").hasValue(4);
    assertThat(scorer.heads).as("the head once per version").hasValue(2);
    double right =
        TestModels.expectedMalignancy((TestModels.normalised(0) + TestModels.normalised(255)) / 2);
    assertThat(s.get(1).getMalignancyRight()).isCloseTo(right, within(1e-5));
    assertNoImageAfterItsEncoding(changelog());
  }

  @Test
  void shouldEncodeAgainFromTheImagesTopicWhenTheModelChangedSoOneModelScoresTheExam() {
    Path b = v2("b", Kind.CONV, "2");
    start(v2("a", Kind.KNOWN, "1"));
    send("e3", "L_CC", 40, 1);
    send("e3", "L_MLO", 90, 2);
    scorer.delegate.activate(b);
    send("e3", "R_CC", 140, 3);
    send("e3", "R_MLO", 250, 4);
    ExamScore s = scores().get(0);
    assertThat(s.getModel().getVersion()).isEqualTo("2");
    assertThat(s.getScorable()).isTrue();
    assertThat(s.getReasonCodes()).contains(ReleaseScoring.REENCODED);
    assertThat(fetches).as("the two views encoded by model 1 read back").hasValue(2);
    // the same numbers as model 2 scoring the four images from scratch
    ScoreResult fresh =
        scorer.delegate.score(
            new ExamInput(
                "e3",
                topic.stream()
                    .map(
                        i ->
                            new ExamImage(
                                Slot.valueOf(i.getLaterality() + "_" + i.getView()),
                                ReleaseScoring.copy(i.getWorkingImagePng()),
                                i.getSopInstanceUid()))
                    .toList()));
    assertThat(s.getMalignancyLeft()).isCloseTo(fresh.malignancyLeft(), within(1e-6));
    assertThat(s.getRisk()).hasSize(5);
    for (int k = 0; k < 5; k++) {
      assertThat(s.getRisk().get(k)).isCloseTo(fresh.risk()[k], within(1e-6));
    }
    List<ExamAssemblyState> writes = changelog();
    ExamAssemblyState last = writes.get(writes.size() - 1);
    String active = scorer.activeModel().id();
    assertThat(last.getSlots())
        .allSatisfy(x -> assertThat(x.getEncoding().getModelId()).isEqualTo(active));
    assertNoImageAfterItsEncoding(writes);
  }

  @Test
  void shouldScoreFromImagesReadBackWithoutStoringThemWhenAContractOneModelTakesOver() {
    Path one = v1("one", "3");
    start(v2("a", Kind.KNOWN, "1"));
    send("e4", "L_CC", 200, 1);
    send("e4", "L_MLO", 100, 2);
    scorer.delegate.activate(one);
    send("e4", "R_CC", 0, 3);
    send("e4", "R_MLO", 0, 4);
    ExamScore s = scores().get(0);
    assertThat(s.getModel().getVersion()).isEqualTo("3");
    assertThat(s.getMalignancyLeft()).isCloseTo(expectedLeft(200, 100), within(1e-5));
    assertThat(scorer.wholeExams).hasValue(1);
    List<ExamAssemblyState> writes = changelog();
    Set<String> encoded = assertNoImageAfterItsEncoding(writes);
    assertThat(encoded).containsExactlyInAnyOrder("e4.L_CC.1", "e4.L_MLO.2");
    // the contract-1 model's own images are kept, as before, the read-back ones are not
    ExamAssemblyState last = writes.get(writes.size() - 1);
    assertThat(last.getSlots())
        .filteredOn(x -> x.getSlot().startsWith("R_"))
        .allSatisfy(x -> assertThat(x.getPng()).isNotNull());
  }

  @Test
  void shouldEncodeTheKeptImagesAndDropThemWhenAContractTwoModelTakesOver() {
    Path two = v2("two", Kind.KNOWN, "4");
    start(v1("one", "3"));
    send("e5", "L_CC", 200, 1);
    send("e5", "L_MLO", 100, 2);
    send("e5", "R_CC", 0, 3);
    scorer.delegate.activate(two);
    send("e5", "R_MLO", 0, 4);
    ExamScore s = scores().get(0);
    assertThat(s.getModel().getVersion()).isEqualTo("4");
    assertThat(s.getMalignancyLeft()).isCloseTo(expectedLeft(200, 100), within(1e-5));
    assertThat(fetches).as("the images were in the store").hasValue(0);
    List<ExamAssemblyState> writes = changelog();
    assertNoImageAfterItsEncoding(writes);
    assertThat(writes.get(writes.size() - 1).getSlots())
        .allSatisfy(
            x -> {
              assertThat(x.getPng()).isNull();
              assertThat(x.getEncoding()).isNotNull();
            });
  }

  @Test
  void shouldRouteAsIncompleteWithAReasonWhenAnImageCannotBeReadBackAfterAModelChange() {
    Path b = v2("b", Kind.CONV, "2");
    start(v2("a", Kind.KNOWN, "1"));
    archiveHasImages = false; // e.g. mammo.images.v1's retention has passed
    send("e6", "L_CC", 40, 1);
    scorer.delegate.activate(b);
    send("e6", "L_MLO", 90, 2);
    send("e6", "R_CC", 140, 3);
    send("e6", "R_MLO", 250, 4);
    ExamScore s = scores().get(0);
    assertThat(s.getScorable()).isFalse();
    assertThat(s.getCategory()).isEqualTo("incomplete");
    assertThat(s.getReasonCodes()).contains("UNSCORABLE_" + ReleaseScoring.IMAGE_UNAVAILABLE);
    assertNoImageAfterItsEncoding(changelog());
  }

  @Test
  void shouldFailTheRuleWhenAWorkingImageIsWrittenAfterItsEncoding() {
    // the check itself can fail: a state that puts an image back into an encoded slot
    SlotImage encoded =
        SlotImage.newBuilder()
            .setSlot("L_CC")
            .setSopInstanceUid("x")
            .setEncoding(
                SlotEncodings.toState(
                    new org.mammotriage.scoring.ViewEncoding("m", new float[] {1}, Map.of())))
            .build();
    SlotImage withPixels =
        SlotImage.newBuilder(encoded)
            .setEncoding(null)
            .setPng(java.nio.ByteBuffer.wrap(new byte[] {1}))
            .build();
    ExamAssemblyState a = state(encoded);
    ExamAssemblyState b = state(withPixels);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> assertNoImageAfterItsEncoding(List.of(a, b)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("written after its encoding");
  }

  private static ExamAssemblyState state(SlotImage s) {
    return ExamAssemblyState.newBuilder()
        .setStudyInstanceUid("x")
        .setPatientKey("pk")
        .setFirstImageAt(0)
        .setLastImageAt(0)
        .setSlots(List.of(s))
        .build();
  }
}
