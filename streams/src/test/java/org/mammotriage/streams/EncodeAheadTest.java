package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.EncodedView;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ModelInfo;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.scoring.ViewEncoding;

/**
 * Images encoded ahead of the stream thread ({@link EncodeAhead}): the topology decides exactly as
 * when the stream thread encodes every image itself, each exam once, and the encodings made ahead
 * are the ones used; what is passed over is dropped; anything unusable falls back to the stream
 * thread. The poll is played by handing the same records to {@link EncodeAhead#offer} (as the main
 * consumer's interceptor does) before they are piped into the driver.
 */
class EncodeAheadTest extends TestScorer {
  static final SerdeFactory SERDES = SerdeFactory.singleObject();
  static final String IMAGES = Topics.IMAGES.name();

  /** Three exams, a duplicate, an extra view and an image that does not decode, interleaved. */
  static List<MammogramImage> arrivals() {
    List<MammogramImage> out = new ArrayList<>();
    String[] slots = {"L_CC", "L_MLO", "R_CC", "R_MLO"};
    int[] gray = {255, 128, 0};
    for (int k = 0; k < 4; k++) {
      for (int e = 0; e < 3; e++) {
        String s = slots[k];
        String study = "s" + e;
        out.add(
            ExamTriageTopologyTest.image(
                study,
                study + "." + s,
                s.substring(0, 1),
                s.substring(2),
                gray[e],
                1000 + k,
                k + 1,
                List.of()));
      }
      if (k == 1) {
        out.add(out.get(3)); // s0.L_MLO again: a duplicate, not encoded by the stream thread
        out.add(
            ExamTriageTopologyTest.image(
                "s1", "s1.XCCL", "L", "XCCL", 128, 1100, 9, List.of())); // an extra view
      }
    }
    MammogramImage broken =
        MammogramImage.newBuilder(out.get(out.size() - 1))
            .setSopInstanceUid("s2.R_MLO.broken")
            .setStudyInstanceUid("s3")
            .setWorkingImagePng(ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .build();
    out.add(out.size() - 2, broken); // s3: one image that does not decode
    return out;
  }

  /** What the run decided, without its wall-clock times. */
  record Decided(List<String> scores, List<String> slots) {}

  Decided run(ExamScoringService s, EncodeAhead ahead, List<MammogramImage> imgs) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "encode-ahead-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    long clock = 1_700_000_000_000L;
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            ExamTriageTopology.build(
                TriageSettings.defaults(),
                s,
                SERDES,
                new StreamsMetrics(OpsServer.newRegistry()),
                (cfg, d) -> ImageArchive.NONE,
                ahead),
            p,
            Instant.ofEpochMilli(clock))) {
      if (ahead.enabled()) {
        ahead.offer(poll(imgs, 0)); // the driver gives them offsets 0, 1, ... on partition 0
      }
      TestInputTopic<String, MammogramImage> in =
          driver.createInputTopic(
              IMAGES, Serdes.String().serializer(), Topics.IMAGES.valueSerde(SERDES).serializer());
      for (MammogramImage i : imgs) {
        in.pipeInput(i.getStudyInstanceUid(), i, clock);
      }
      driver.advanceWallClockTime(java.time.Duration.ofMillis(200_000)); // the partial s3
      List<String> scores = new ArrayList<>();
      for (ExamScore x :
          driver
              .createOutputTopic(
                  Topics.SCORES.name(),
                  Serdes.String().deserializer(),
                  Topics.SCORES.valueSerde(SERDES).deserializer())
              .readValuesToList()) {
        scores.add(
            String.join(
                " ",
                x.getExamKey(),
                "v" + x.getExamVersion(),
                String.valueOf(x.getSlotsFilled()),
                String.valueOf(x.getSopInstanceUids()),
                String.valueOf(x.getExtraViews()),
                String.valueOf(x.getScorable()),
                String.valueOf(x.getMalignancyLeft()),
                String.valueOf(x.getMalignancyRight()),
                String.valueOf(x.getSuspicion()),
                String.valueOf(x.getRisk()),
                String.valueOf(x.getCategory()),
                String.valueOf(x.getReasonCodes()),
                String.valueOf(x.getDomainVerdict()),
                String.valueOf(x.getDomainViews())));
      }
      List<String> slots = new ArrayList<>();
      var store =
          driver.<String, org.mammotriage.schemas.avro.ExamAssemblyState>getKeyValueStore(
              ExamTriageTopology.STORE);
      try (var it = store.all()) {
        it.forEachRemaining(kv -> slots.add(kv.key + " " + kv.value.getSlots()));
      }
      return new Decided(scores, slots);
    }
  }

  static ConsumerRecords<byte[], byte[]> poll(List<MammogramImage> imgs, long firstOffset) {
    Serializer<MammogramImage> ser = Topics.IMAGES.valueSerde(SERDES).serializer();
    List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
    long o = firstOffset;
    for (MammogramImage i : imgs) {
      recs.add(
          new ConsumerRecord<>(
              IMAGES,
              0,
              o++,
              i.getStudyInstanceUid().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
              ser.serialize(IMAGES, i)));
    }
    return new ConsumerRecords<>(Map.of(new TopicPartition(IMAGES, 0), recs), Map.of());
  }

  @Test
  void shouldDecideEveryExamExactlyAsWhenTheStreamThreadEncodesItself() {
    List<MammogramImage> imgs = arrivals();
    Decided alone = run(scorer, EncodeAhead.NONE, imgs);
    Decided ahead;
    try (EncodeAhead a =
        new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 2)) {
      ahead = run(scorer, a, imgs);
      // 12 images take a slot with an encoding; the duplicate and the extra view are never asked
      // for, the image that does not decode is encoded again by the stream thread
      assertThat(a.hits()).isEqualTo(12);
      assertThat(a.misses()).isEqualTo(1);
      assertThat(a.pending()).as("what was passed over is dropped").isZero();
    }
    assertThat(ahead).isEqualTo(alone);
    assertThat(alone.scores()).hasSize(4);
    assertThat(alone.scores().stream().map(x -> x.split(" ")[0]))
        .as("each exam decided once")
        .containsExactlyInAnyOrder("s0", "s1", "s2", "s3");
    assertThat(alone.slots()).anyMatch(x -> x.contains("UNDECODABLE_IMAGE"));
  }

  @Test
  void shouldEncodeEachImageOnceWhetherAheadOrOnTheStreamThread() {
    List<MammogramImage> imgs =
        arrivals().stream().filter(i -> !i.getStudyInstanceUid().equals("s3")).toList();
    Counting counting = new Counting(scorer);
    try (EncodeAhead a =
        new EncodeAhead(counting, TriageSettings.defaults(), this::deserializer, 2)) {
      run(counting, a, imgs);
      // the duplicate may be encoded ahead before the stream thread passes it over
      assertThat(counting.encodes.get()).isBetween(12, 13);
      assertThat(a.hits()).isEqualTo(12);
    }
  }

  @Test
  void shouldDropWhatTheStreamThreadPassesOver() {
    Counting counting = new Counting(scorer);
    try (EncodeAhead a =
        new EncodeAhead(counting, TriageSettings.defaults(), this::deserializer, 1)) {
      List<MammogramImage> imgs = arrivals().subList(0, 5);
      a.offer(poll(imgs, 10));
      assertThat(a.pending()).isEqualTo(5);
      assertThat(a.take(0, 13)).satisfies(r -> assertThat(r.encoded()).isTrue());
      assertThat(a.pending()).as("offsets 10-12 passed over, 14 waits").isEqualTo(1);
      assertThat(a.take(0, 13)).as("taken once").isNull();
      assertThat(a.take(1, 14)).as("another partition").isNull();
      assertThat(a.take(0, 14)).isNotNull();
      assertThat(a.pending()).isZero();
    }
  }

  @Test
  void shouldCountTheEncodingsTheStreamThreadRanItselfWhileTheWorkerWasBusy() throws Exception {
    // given: one worker, held in its first image until the test lets it go
    Held holding = new Held(scorer);
    try (EncodeAhead a =
        new EncodeAhead(holding, TriageSettings.defaults(), this::deserializer, 1)) {
      a.offer(poll(arrivals().subList(0, 3), 0));
      assertThat(holding.inFirst.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      // when: the stream thread takes offset 1 while the worker is still in offset 0
      EncodeResult second = a.take(0, 1);
      holding.letGo.countDown();
      EncodeResult third = a.take(0, 2);

      // then: offset 1 was encoded by the taker itself; offset 2 by the worker or the taker
      assertThat(second.encoded()).isTrue();
      assertThat(third.encoded()).isTrue();
      assertThat(a.hits()).isEqualTo(2);
      assertThat(a.ranByTaker()).isBetween(1L, 2L);
    }
  }

  @Test
  void shouldCountTheTimeTheWorkersWaitedBetweenImages() throws Exception {
    try (EncodeAhead a =
        new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1)) {
      List<MammogramImage> imgs = arrivals();
      // a worker's first image: nothing before it counts
      a.offer(poll(imgs.subList(0, 1), 0));
      assertThat(a.take(0, 0).encoded()).isTrue();
      awaitWorkerDone(a);
      assertThat(a.workersIdleNanos()).isZero();

      // the next poll finds the worker waiting since its first image
      a.offer(poll(imgs.subList(1, 2), 1));
      assertThat(a.take(0, 1).encoded()).isTrue();
      awaitWorkerDone(a); // the one worker has come to the second image (FIFO)
      assertThat(a.workersIdleNanos()).isPositive();
    }
  }

  @Test
  void shouldHoldAtMostItsBoundAndIgnoreOtherTopics() {
    try (EncodeAhead a =
        new EncodeAhead(
            scorer, TriageSettings.defaults(), this::deserializer, 1, 0, 3, System::nanoTime)) {
      a.offer(poll(arrivals().subList(0, 5), 0));
      assertThat(a.pending()).isEqualTo(3);
      assertThat(a.dropped()).isEqualTo(2);
      assertThat(a.take(0, 4)).as("dropped: the stream thread encodes it").isNull();
      a.offer(
          new ConsumerRecords<>(
              Map.of(
                  new TopicPartition(Topics.SCORES.name(), 0),
                  List.of(
                      new ConsumerRecord<>(Topics.SCORES.name(), 0, 0L, new byte[0], new byte[0]))),
              Map.of()));
      assertThat(a.pending()).isZero();
    }
  }

  @Test
  void shouldGiveUpImagesOfAPartitionNoLongerTakenOnceTheBoundIsReached() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    try (EncodeAhead a =
        new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1, 0, 3, now::get)) {
      a.offer(poll(arrivals().subList(0, 3), 0)); // partition 0, then it goes elsewhere
      now.addAndGet(EncodeAhead.STALE_NANOS - 1);
      ConsumerRecords<byte[], byte[]> next = onPartition(1, poll(arrivals().subList(3, 4), 0));
      a.offer(next);
      assertThat(a.dropped()).as("full, and nothing is old enough yet").isEqualTo(1);
      now.addAndGet(1);
      a.offer(next);
      assertThat(a.pending()).as("partition 0's images given up").isEqualTo(1);
      assertThat(a.take(0, 2)).isNull();
      assertThat(a.take(1, 0)).satisfies(r -> assertThat(r.encoded()).isTrue());
    }
  }

  static ConsumerRecords<byte[], byte[]> onPartition(
      int partition, ConsumerRecords<byte[], byte[]> r) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    r.forEach(
        c -> out.add(new ConsumerRecord<>(c.topic(), partition, c.offset(), c.key(), c.value())));
    return new ConsumerRecords<>(Map.of(new TopicPartition(IMAGES, partition), out), Map.of());
  }

  @Test
  void shouldLeaveARecordThatDoesNotDeserialiseToTheStreamThread() {
    try (EncodeAhead a =
        new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1)) {
      a.offer(
          new ConsumerRecords<>(
              Map.of(
                  new TopicPartition(IMAGES, 0),
                  List.of(new ConsumerRecord<>(IMAGES, 0, 0L, new byte[0], new byte[] {9, 9}))),
              Map.of()));
      assertThat(a.take(0, 0)).isNull();
      assertThat(a.misses()).isEqualTo(1);
    }
  }

  @Test
  void shouldNotEncodeAheadForAContractOneModel() {
    ModelInfo v1 =
        new ModelInfo(
            "v1", "1", "0123456789abcdef", "test", new ModelThresholds(0.6, 0.2, 0.3, "t"));
    Counting contractOne =
        new Counting(scorer) {
          @Override
          public ModelInfo activeModel() {
            return v1;
          }
        };
    try (EncodeAhead a =
        new EncodeAhead(contractOne, TriageSettings.defaults(), this::deserializer, 1)) {
      a.offer(poll(arrivals().subList(0, 2), 0));
      assertThat(a.take(0, 1)).isNull();
      assertThat(contractOne.encodes.get()).isZero();
    }
  }

  @Test
  void shouldTakeNothingAfterClose() {
    EncodeAhead a = new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1);
    a.offer(poll(arrivals().subList(0, 2), 0));
    a.close();
    assertThat(a.take(0, 1)).isNull();
    a.offer(poll(arrivals().subList(0, 2), 5));
    assertThat(a.pending()).isZero();
    assertThat(EncodeAhead.NONE.take(0, 0)).isNull();
  }

  @Test
  void shouldUseOnlyAnEncodingOfTheModelActiveNow() {
    ModelInfo active = scorer.activeModel();
    ViewEncoding v = new ViewEncoding(active.id(), new float[] {1}, Map.of());
    ModelInfo other =
        new ModelInfo(
            "other",
            "1",
            "0123456789abcdef",
            "test",
            new ModelThresholds(0.6, 0.2, 0.3, "test"),
            2);
    assertThat(SlotImages.usable(new EncodeResult(active, v, null), scorer)).isTrue();
    assertThat(SlotImages.usable(new EncodeResult(other, v, null), scorer)).isFalse();
    assertThat(
            SlotImages.usable(
                new EncodeResult(active, null, EncodeResult.UNDECODABLE_IMAGE), scorer))
        .isFalse();
    assertThat(SlotImages.usable(null, scorer)).isFalse();
  }

  @Test
  void shouldHandEachPollToTheInstanceItIsConfiguredWith() {
    try (EncodeAhead a = new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1);
        EncodeAheadInterceptor i = new EncodeAheadInterceptor()) {
      i.configure(Map.of(EncodeAhead.INSTANCE_CONFIG, a));
      ConsumerRecords<byte[], byte[]> recs = poll(arrivals().subList(0, 3), 0);
      assertThat(i.onConsume(recs)).isSameAs(recs);
      assertThat(a.pending()).isEqualTo(3);
    }
    assertThatThrownBy(() -> new EncodeAheadInterceptor().configure(Map.of()))
        .hasMessageContaining(EncodeAhead.INSTANCE_CONFIG);
  }

  @Test
  void shouldConfigureTheMainConsumerOnlyWhenImagesAreEncodedAhead() {
    var cfg =
        ConfigLoader.load(
            org.mammotriage.scoring.ScoringConfig.define(
                TriageStreamsConfig.define(CommonConfig.define())),
            null,
            Map.of(),
            Map.of());
    assertThat(cfg.getInt(TriageStreamsConfig.ENCODE_AHEAD_THREADS)).isEqualTo(-1);
    String key = StreamsConfig.mainConsumerPrefix(EncodeAhead.INSTANCE_CONFIG);
    String interceptors =
        StreamsConfig.mainConsumerPrefix(
            org.apache.kafka.clients.consumer.ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
    try (EncodeAhead a =
        new EncodeAhead(scorer, TriageSettings.defaults(), this::deserializer, 1)) {
      Properties p = StreamsApp.properties(cfg, a);
      assertThat(p.get(key)).isSameAs(a);
      assertThat(p.get(interceptors)).isEqualTo(EncodeAheadInterceptor.class.getName());
      // Kafka Streams hands both to the main consumer alone
      Map<String, Object> main = new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0);
      assertThat(main.get(EncodeAhead.INSTANCE_CONFIG)).isSameAs(a);
      assertThat(new StreamsConfig(p).getRestoreConsumerConfigs("c"))
          .doesNotContainKey(EncodeAhead.INSTANCE_CONFIG);
    }
    Properties off = StreamsApp.properties(cfg, EncodeAhead.NONE);
    assertThat(off).doesNotContainKeys(key, interceptors);
  }

  org.apache.kafka.common.serialization.Deserializer<MammogramImage> deserializer() {
    return Topics.IMAGES.valueSerde(SERDES).deserializer();
  }

  /** The real scorer, counting encode calls. */
  static class Counting implements ExamScoringService {
    final ExamScoringService inner;
    final AtomicInteger encodes = new AtomicInteger();

    Counting(ExamScoringService inner) {
      this.inner = inner;
    }

    @Override
    public ScoreResult score(ExamInput exam) {
      return inner.score(exam);
    }

    @Override
    public EncodeResult encode(ExamImage image) {
      encodes.incrementAndGet();
      return inner.encode(image);
    }

    @Override
    public ScoreResult scoreEncoded(String examKey, List<EncodedView> views) {
      return inner.scoreEncoded(examKey, views);
    }

    @Override
    public ModelInfo activeModel() {
      return inner.activeModel();
    }

    @Override
    public String device() {
      return inner.device();
    }

    @Override
    public void close() {}
  }

  /**
   * The real scorer, counting; the pool's worker waits in its first encoding until {@link #letGo}.
   */
  static final class Held extends Counting {
    final java.util.concurrent.CountDownLatch inFirst = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);

    Held(ExamScoringService inner) {
      super(inner);
    }

    @Override
    public EncodeResult encode(ExamImage image) {
      if (Thread.currentThread().getName().startsWith("streams-encode-ahead")
          && inFirst.getCount() > 0) {
        inFirst.countDown();
        try {
          letGo.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.encode(image);
    }
  }
}
