package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.streams.EncodeAheadTest.Held;

/**
 * The stream thread going on past images whose encodings are still being made ahead ({@link
 * EncodeAhead#lookahead()}): an exam completed by such an image is released once its encodings are
 * done, in the order the exams completed, with the same decision as when the stream thread waits;
 * the thread waits for the oldest encoding beyond the lookahead; and a complete exam left waiting
 * when the process stopped is released at the next punctuation from its images read back.
 *
 * <p>The worker is held in its first encoding until the test lets it go, so what is done when the
 * stream thread reaches an image does not depend on timing.
 */
class LookaheadReleaseTest extends TestScorer {
  static final long CLOCK = 1_700_000_000_000L;

  /** Two exams of four views, one after the other (offsets 0-3 and 4-7). */
  static List<MammogramImage> twoExams() {
    List<MammogramImage> out = new ArrayList<>();
    String[] slots = {"L_CC", "L_MLO", "R_CC", "R_MLO"};
    int[] gray = {255, 64};
    for (int e = 0; e < 2; e++) {
      for (int k = 0; k < 4; k++) {
        String study = "s" + e;
        out.add(
            ExamTriageTopologyTest.image(
                study,
                study + "." + slots[k],
                slots[k].substring(0, 1),
                slots[k].substring(2),
                gray[e] - 20 * k,
                1000 + k,
                k + 1,
                List.of()));
      }
    }
    return out;
  }

  TopologyTestDriver driver(ExamScoringService s, EncodeAhead ahead, ImageArchive archive) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lookahead-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    return new TopologyTestDriver(
        ExamTriageTopology.build(
            TriageSettings.defaults(),
            s,
            EncodeAheadTest.SERDES,
            new StreamsMetrics(OpsServer.newRegistry()),
            (cfg, d) -> archive,
            ahead),
        p,
        Instant.ofEpochMilli(CLOCK));
  }

  static TestInputTopic<String, MammogramImage> in(TopologyTestDriver d) {
    return d.createInputTopic(
        Topics.IMAGES.name(),
        Serdes.String().serializer(),
        Topics.IMAGES.valueSerde(EncodeAheadTest.SERDES).serializer());
  }

  static TestOutputTopic<String, ExamScore> scores(TopologyTestDriver d) {
    return d.createOutputTopic(
        Topics.SCORES.name(),
        Serdes.String().deserializer(),
        Topics.SCORES.valueSerde(EncodeAheadTest.SERDES).deserializer());
  }

  /** A score without its wall-clock times. */
  static String decided(ExamScore x) {
    return String.join(
        " ",
        x.getExamKey(),
        "v" + x.getExamVersion(),
        String.valueOf(x.getSlotsFilled()),
        String.valueOf(x.getScorable()),
        String.valueOf(x.getMalignancyLeft()),
        String.valueOf(x.getMalignancyRight()),
        String.valueOf(x.getSuspicion()),
        String.valueOf(x.getRisk()),
        String.valueOf(x.getCategory()),
        String.valueOf(x.getReasonCodes()));
  }

  /** What the stream decides when it encodes every image itself. */
  List<String> serial(List<MammogramImage> imgs) {
    try (TopologyTestDriver d = driver(scorer, EncodeAhead.NONE, ImageArchive.NONE)) {
      TestInputTopic<String, MammogramImage> in = in(d);
      imgs.forEach(i -> in.pipeInput(i.getStudyInstanceUid(), i, CLOCK));
      return scores(d).readValuesToList().stream().map(LookaheadReleaseTest::decided).toList();
    }
  }

  EncodeAhead ahead(ExamScoringService s, int lookahead) {
    return new EncodeAhead(
        s,
        TriageSettings.defaults(),
        () -> Topics.IMAGES.valueSerde(EncodeAheadTest.SERDES).deserializer(),
        1,
        lookahead);
  }

  /**
   * Offers the images as one poll, waits until the pool's one worker is held in the first of them,
   * and gives the driver's input topic.
   */
  static TestInputTopic<String, MammogramImage> heldPoll(
      EncodeAhead a, Held held, TopologyTestDriver d, List<MammogramImage> imgs)
      throws InterruptedException {
    a.offer(EncodeAheadTest.poll(imgs, 0));
    assertThat(held.inFirst.await(60, TimeUnit.SECONDS)).isTrue();
    return in(d);
  }

  @Test
  void shouldGoOnPastEncodingsNotDoneAndReleaseEachExamOnceTheyAre() throws Exception {
    List<MammogramImage> imgs = twoExams();
    List<String> expected = serial(imgs);
    Held held = new Held(scorer);
    try (EncodeAhead a = ahead(held, 16);
        TopologyTestDriver d = driver(held, a, ImageArchive.NONE)) {
      TestInputTopic<String, MammogramImage> in = heldPoll(a, held, d, imgs); // one poll of eight
      TestOutputTopic<String, ExamScore> out = scores(d);
      KeyValueStore<String, ExamAssemblyState> store = d.getKeyValueStore(ExamTriageTopology.STORE);

      // when: the first exam's four images reach the stream thread, none of them encoded yet
      for (MammogramImage i : imgs.subList(0, 4)) {
        in.pipeInput(i.getStudyInstanceUid(), i, CLOCK);
      }

      // then: the exam is complete in the state, waiting for its encodings, not yet released
      assertThat(out.isEmpty()).as("released before its encodings are done").isTrue();
      assertThat(store.get("s0").getSlots()).hasSize(4).allMatch(SlotImages::awaiting);

      // when: the encodings are done and the next image arrives
      held.letGo.countDown();
      awaitWorkerDone(a);
      in.pipeInput("s1", imgs.get(4), CLOCK);

      // then: the first exam is released, its encodings now in the state
      List<String> first =
          out.readValuesToList().stream().map(LookaheadReleaseTest::decided).toList();
      assertThat(first).containsExactly(expected.get(0));
      assertThat(store.get("s0").getSlots())
          .hasSize(4)
          .allMatch(s -> s.getEncoding() != null && s.getPng() == null);

      // when: the rest arrives; its last image is the last the poll returned, and nothing says
      // more is coming: the thread releases what it holds before it would poll again
      for (MammogramImage i : imgs.subList(5, 8)) {
        in.pipeInput(i.getStudyInstanceUid(), i, CLOCK);
      }
      List<String> second =
          out.readValuesToList().stream().map(LookaheadReleaseTest::decided).toList();
      assertThat(second).containsExactly(expected.get(1));
      assertThat(a.hits()).as("every encoding the one made ahead").isEqualTo(8);
      assertThat(held.encodes.get()).isEqualTo(8);
    }
  }

  /** Whether the thread is blocked in {@link EncodeAhead.Claim#await}. */
  static boolean waitsInClaim(Thread t) {
    if (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(EncodeAhead.Claim.class.getName())
          && e.getMethodName().equals("await")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void shouldWaitForTheOldestEncodingBeyondTheLookahead() throws Exception {
    List<MammogramImage> imgs = twoExams();
    Held held = new Held(scorer);
    try (EncodeAhead a = ahead(held, 2);
        TopologyTestDriver d = driver(held, a, ImageArchive.NONE)) {
      TestInputTopic<String, MammogramImage> in = heldPoll(a, held, d, imgs);
      for (MammogramImage i : imgs.subList(0, 2)) {
        in.pipeInput(i.getStudyInstanceUid(), i, CLOCK);
      }
      assertThat(a.hits()).as("two held, none waited for").isZero();

      // when: a third image would be a third encoding outstanding; the worker is let go from
      // another thread once the stream thread (this one, in the driver) waits for the oldest
      Thread streamThread = Thread.currentThread();
      java.util.concurrent.atomic.AtomicBoolean sawItWait =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread opener =
          new Thread(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!waitsInClaim(streamThread) && System.nanoTime() < deadline) {
                  Thread.onSpinWait();
                }
                sawItWait.set(waitsInClaim(streamThread));
                held.letGo.countDown();
              });
      opener.start();
      in.pipeInput("s0", imgs.get(2), CLOCK);
      opener.join();

      // then: the stream thread waited for the oldest before it went on
      assertThat(sawItWait).as("the stream thread waited on a claim").isTrue();
      assertThat(a.hits()).as("the oldest encoding got").isPositive();
      assertThat(a.ranByTaker()).as("left to the worker").isZero();
    }
  }

  @Test
  void shouldReleaseACompleteExamLeftWaitingWhenTheProcessStoppedFromItsImagesReadBack()
      throws Exception {
    List<MammogramImage> imgs = twoExams();
    List<String> expected = serial(imgs.subList(0, 4));
    // given: a state committed with the exam complete, waiting for encodings that were lost
    ExamAssemblyState left;
    Held held = new Held(scorer);
    try (EncodeAhead a = ahead(held, 16);
        TopologyTestDriver d = driver(held, a, ImageArchive.NONE)) {
      TestInputTopic<String, MammogramImage> in = heldPoll(a, held, d, imgs);
      for (MammogramImage i : imgs.subList(0, 4)) {
        in.pipeInput(i.getStudyInstanceUid(), i, CLOCK);
      }
      assertThat(scores(d).isEmpty()).isTrue();
      left = d.<String, ExamAssemblyState>getKeyValueStore(ExamTriageTopology.STORE).get("s0");
      held.letGo.countDown();
    }
    assertThat(left.getVersion()).isZero();
    assertThat(left.getSlots()).hasSize(4).allMatch(SlotImages::awaiting);

    // when: the task runs again (restored state, nothing held) with the images topic readable
    Map<Long, MammogramImage> topic = new java.util.HashMap<>();
    for (int o = 0; o < imgs.size(); o++) {
      topic.put((long) o, imgs.get(o));
    }
    List<Long> readBack = new ArrayList<>();
    ImageArchive archive =
        new ImageArchive() {
          @Override
          public Optional<MammogramImage> fetch(int partition, long offset) {
            readBack.add(offset);
            return Optional.ofNullable(topic.get(offset));
          }

          @Override
          public void close() {}
        };
    try (TopologyTestDriver d = driver(scorer, EncodeAhead.NONE, archive)) {
      d.<String, ExamAssemblyState>getKeyValueStore(ExamTriageTopology.STORE).put("s0", left);
      d.advanceWallClockTime(Duration.ofSeconds(10)); // a punctuation, well inside the quiet period

      // then: released at once, decided as the stream that waited would have, not as a model change
      List<String> got =
          scores(d).readValuesToList().stream().map(LookaheadReleaseTest::decided).toList();
      assertThat(got).containsExactlyElementsOf(expected);
      assertThat(got.get(0)).doesNotContain(ReleaseScoring.REENCODED);
      assertThat(readBack).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
      SlotImage any =
          d.<String, ExamAssemblyState>getKeyValueStore(ExamTriageTopology.STORE)
              .get("s0")
              .getSlots()
              .get(0);
      assertThat(any.getEncoding()).isNotNull();
    }
  }
}
