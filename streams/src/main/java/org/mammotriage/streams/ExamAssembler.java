package org.mammotriage.streams;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.contract.Slot;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.scoring.EncodeResult;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.streams.SlotRules.Acquisition;
import org.mammotriage.streams.SlotRules.Placement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles images into four-view exams (DESIGN §4) in the {@code exam-assembly-store}, keyed by
 * study, by the {@link SlotRules} (duplicates, extra views, retakes). An exam is released when its
 * four slots are filled, or by a wall-clock punctuation after the quiet period as a partial exam; a
 * slot that changes after release releases version n+1. Every release is scored, routed by {@link
 * Triage} and forwarded as an {@link ExamRelease}: an {@link ExamScore} to the scores sink, a
 * {@link TriageDecision} to the sink of its {@link Category}, and to the risk sink when the 5-year
 * risk is elevated. Released exams are deleted after the retention period.
 *
 * <p>With a contract-2 model an image is encoded when it arrives and the state keeps its encoding
 * instead of its pixels ({@link SlotImages}); a release runs only the exam head, and {@link
 * ReleaseScoring} makes sure every score comes from one model after a hot model change.
 *
 * <p>With images encoded ahead ({@link EncodeAhead}, a {@link EncodeAhead#lookahead()} above 0) the
 * stream thread does not wait for an image's encoding when it reaches the image: the slot is
 * written without it and the encoding is {@linkplain EncodeAhead#claim claimed} and held in memory,
 * and an exam completed by such an image is released once its encodings are done, at a later record
 * or punctuation, in the order the exams completed. So the thread polls again while the workers
 * still encode the end of a batch, instead of leaving them idle for each poll. At most {@code
 * lookahead} encodings are outstanding (then the thread waits for the oldest), and before the
 * thread would go back to a poll that returns nothing at once ({@link EncodeAhead#moreComing}) it
 * releases every exam it holds, so a quiet stream decides an exam as soon as it is complete.
 * Exactly-once is unchanged: what is held is only what the state would otherwise have waited for; a
 * state committed with an exam complete and not yet released (the process stopped in between) makes
 * that exam due at once, and its release reads the images back from the topic ({@link
 * ReleaseScoring}).
 */
public final class ExamAssembler implements Processor<String, MammogramImage, String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(ExamAssembler.class);
  private final TriageSettings settings;
  private final SlotRules rules;
  private final ExamScoringService scorer;
  private final StreamsMetrics metrics;
  private final ImageArchive.Factory archives;
  private final Deserializer<MammogramImage> imageDeserializer;
  private final EncodeAhead ahead;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ExamAssemblyState> store;
  private ImageArchive archive;
  private ReleaseScoring scoring;
  // when each exam is next due (ExamDeadlines): built from the store at the first punctuation,
  // then kept with every write and checked a slice at a time
  private ExamDeadlines deadlines;
  private boolean indexed;
  private String sliceFrom;
  // encodings claimed from the EncodeAhead that were not done when the stream thread reached their
  // image: study -> slot -> the image and its claim (the slot in the state has no encoding yet)
  private final Map<String, Map<Slot, Held>> held = new LinkedHashMap<>();
  // the claims held, oldest first, until seen done (at most ahead.lookahead() not done)
  private final ArrayDeque<EncodeAhead.Claim> open = new ArrayDeque<>();
  // complete exams waiting for their encodings, in the order they completed
  private final LinkedHashSet<String> deferred = new LinkedHashSet<>();

  /** An image whose slot waits for its encoding. */
  private record Held(String sop, EncodeAhead.Claim claim) {}

  /**
   * Exams with encodings held in memory, at most: at a punctuation the oldest beyond this are
   * written to the state with their encodings (exams that stay incomplete keep nothing in memory
   * for long).
   */
  static final int MAX_HELD_EXAMS = 1024;

  /**
   * The store is checked against the deadline index once in this long, a slice each punctuation
   * (about size × interval / pass, at least {@link #MIN_CHECK_SLICE}): a safety net whose cost is a
   * small share of a full read each time, not a full read.
   */
  static final long CHECK_PASS_MS = 10 * 60_000L;

  static final int MIN_CHECK_SLICE = 16;
  private long punctuationIntervalMs;

  public ExamAssembler(
      TriageSettings settings,
      ExamScoringService scorer,
      StreamsMetrics metrics,
      ImageArchive.Factory archives,
      Deserializer<MammogramImage> imageDeserializer) {
    this(settings, scorer, metrics, archives, imageDeserializer, EncodeAhead.NONE);
  }

  /**
   * @param ahead encodings of arriving images made ahead of this thread ({@link EncodeAhead#NONE}:
   *     every image is encoded here)
   */
  public ExamAssembler(
      TriageSettings settings,
      ExamScoringService scorer,
      StreamsMetrics metrics,
      ImageArchive.Factory archives,
      Deserializer<MammogramImage> imageDeserializer,
      EncodeAhead ahead) {
    this.settings = settings;
    this.rules = SlotRules.of(settings);
    this.scorer = scorer;
    this.metrics = metrics;
    this.archives = archives;
    this.imageDeserializer = imageDeserializer;
    this.ahead = ahead;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(ExamTriageTopology.STORE);
    this.archive = archives.open(context.appConfigs(), imageDeserializer);
    this.scoring = new ReleaseScoring(scorer, archive, settings.images());
    this.deadlines = new ExamDeadlines(settings.quietPeriodMs(), settings.retentionMs());
    this.indexed = false;
    this.sliceFrom = null;
    long every = Math.max(100, Math.min(settings.quietPeriodMs() / 4, 5_000));
    this.punctuationIntervalMs = every;
    context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, MammogramImage> rec) {
    MammogramImage img = rec.value();
    String study = img.getStudyInstanceUid();
    long now = context.currentSystemTimeMs();
    releaseDeferred(false, now);
    if (deferred.contains(study)) {
      releaseDeferredThrough(study, now); // its release comes before what this image changes
    }
    ExamAssemblyState st = store.get(study);
    if (st == null) {
      st =
          ExamAssemblyState.newBuilder()
              .setStudyInstanceUid(study)
              .setPatientKey(img.getPatientKey())
              .setAccessionNumber(img.getAccessionNumber())
              .setFirstImageAt(now)
              .setLastImageAt(now)
              .build();
    }
    if (rules.isDuplicate(st.getSeenSops(), img.getSopInstanceUid())) {
      LOG.debug("study {}: duplicate instance {} ignored", study, img.getSopInstanceUid());
      releaseBeforePoll(now);
      return;
    }
    List<String> seen = new ArrayList<>(st.getSeenSops());
    seen.add(img.getSopInstanceUid());
    st.setSeenSops(seen);
    st.setLastImageAt(now);
    String laterality = img.getLaterality().name();
    Slot slot = rules.slotOf(laterality, img.getView(), img.getViewModifiers()).orElse(null);
    boolean changed = false;
    if (slot == null) {
      List<String> extras = new ArrayList<>(st.getExtraViews());
      extras.add(rules.extraViewName(laterality, img.getView(), img.getViewModifiers()));
      st.setExtraViews(extras);
    } else {
      changed = putSlot(study, st, slot, img);
    }
    if (changed && st.getVersion() > 0) {
      st.setChangedSinceRelease(true);
    }
    if (changed && st.getSlots().size() == 4) {
      if (deferred.isEmpty() && !waitsForEncodings(study)) {
        release(study, st, false, now);
      } else {
        deferred.add(study); // released once its encodings are done, after those before it
      }
    }
    store.put(study, st);
    deadlines.put(study, st);
    releaseBeforePoll(now);
  }

  /**
   * Keeps at most {@link EncodeAhead#lookahead()} encodings outstanding (waiting for the oldest),
   * releases the exams whose encodings are done, and all of them when the stream thread would
   * otherwise go back to a poll with exams held that the poll would not return at once.
   */
  private void releaseBeforePoll(long now) {
    while (!open.isEmpty() && open.peekFirst().done()) {
      open.pollFirst();
    }
    while (open.size() > ahead.lookahead()) {
      open.pollFirst().await();
    }
    if (deferred.isEmpty()) {
      return;
    }
    releaseDeferred(false, now);
    RecordMetadata m = context.recordMetadata().orElse(null);
    if (!deferred.isEmpty() && (m == null || !ahead.moreComing(m.partition(), m.offset()))) {
      ahead.waitedBeforePoll();
      releaseDeferred(true, now);
    }
  }

  /** Whether a slot of the exam waits for an encoding that is not done yet. */
  private boolean waitsForEncodings(String study) {
    Map<Slot, Held> h = held.get(study);
    return h != null && h.values().stream().anyMatch(x -> !x.claim().done());
  }

  /**
   * Releases the complete exams held for their encodings, in the order they completed: all of them
   * (waiting for their encodings), or those up to the first whose encodings are not done.
   */
  private void releaseDeferred(boolean wait, long now) {
    for (Iterator<String> it = deferred.iterator(); it.hasNext(); ) {
      String study = it.next();
      if (!wait && waitsForEncodings(study)) {
        return;
      }
      it.remove();
      releaseHeld(study, now);
    }
  }

  /** Releases the held exams in order up to this one, waiting for their encodings. */
  private void releaseDeferredThrough(String study, long now) {
    for (Iterator<String> it = deferred.iterator(); it.hasNext(); ) {
      String s = it.next();
      it.remove();
      releaseHeld(s, now);
      if (s.equals(study)) {
        return;
      }
    }
  }

  private void releaseHeld(String study, long now) {
    ExamAssemblyState st = store.get(study);
    if (st == null || !ExamDeadlines.waitsForRelease(st) || st.getSlots().size() != 4) {
      held.remove(study);
      return;
    }
    release(study, st, false, now);
    store.put(study, st);
    deadlines.put(study, st);
  }

  /**
   * Puts the held encodings of the exam into its slots (waiting for them), as {@link SlotImages}
   * would have on the image's arrival: an encoding to use, or an image that does not decode. Any
   * other slot stays waiting, and {@link ReleaseScoring} encodes it from the image read back from
   * the topic, as after a model change (an encoding that failed ahead for another reason, or was
   * made on a model no longer active).
   */
  private void fill(String study, ExamAssemblyState st) {
    Map<Slot, Held> h = held.remove(study);
    if (h == null) {
      return;
    }
    List<SlotImage> slots = new ArrayList<>(st.getSlots());
    for (int i = 0; i < slots.size(); i++) {
      SlotImage s = slots.get(i);
      Held x = h.get(Slot.valueOf(s.getSlot()));
      if (x == null || !x.sop().equals(s.getSopInstanceUid()) || !SlotImages.awaiting(s)) {
        continue;
      }
      EncodeResult r = x.claim().await();
      if (SlotImages.usable(r, scorer)) {
        slots.set(i, SlotImages.withEncoding(s, r.encoding()));
      } else if (r != null
          && EncodeResult.UNDECODABLE_IMAGE.equals(r.failure())
          && r.model().id().equals(scorer.activeModel().id())) {
        slots.set(i, SlotImage.newBuilder(s).setEncodeFailure(r.failure()).build());
      }
    }
    st.setSlots(slots);
  }

  /**
   * Fills or replaces a slot as the rules place the image (encoding it first when it takes the
   * slot); true when the exam's images changed.
   */
  private boolean putSlot(String study, ExamAssemblyState st, Slot slot, MammogramImage img) {
    List<SlotImage> slots = new ArrayList<>(st.getSlots());
    int i = 0;
    while (i < slots.size() && !slots.get(i).getSlot().equals(slot.name())) {
      i++;
    }
    SlotImage current = i < slots.size() ? slots.get(i) : null;
    Acquisition acquired =
        new Acquisition(
            img.getAcquisitionTime() == null ? null : img.getAcquisitionTime().toEpochMilli(),
            img.getInstanceNumber());
    Placement p = rules.place(acquired, current == null ? null : acquisition(current));
    if (!p.takesSlot()) {
      return false; // kept out: the slot's image stays
    }
    RecordMetadata source = context.recordMetadata().orElse(null);
    boolean fromImages = source != null && Topics.IMAGES.name().equals(source.topic());
    Integer partition = source == null ? null : source.partition();
    Long offset = source == null ? null : source.offset();
    EncodeAhead.Claim claim = fromImages ? ahead.claim(partition, offset) : null;
    SlotImage incoming;
    Map<Slot, Held> h = held.get(study);
    if (claim != null
        && !claim.done()
        && ahead.lookahead() > 0
        && scorer.activeModel().encodesViews()) {
      // not done yet: the slot waits for it, the thread goes on
      incoming = SlotImages.awaiting(slot, img, partition, offset);
      held.computeIfAbsent(study, k -> new EnumMap<>(Slot.class))
          .put(slot, new Held(img.getSopInstanceUid(), claim));
      open.addLast(claim);
    } else {
      incoming =
          SlotImages.arrive(
              scorer,
              slot,
              img,
              partition,
              offset,
              claim == null ? null : claim.get(),
              settings.images());
      if (h != null) {
        h.remove(slot); // the slot's earlier image (and its held encoding) is replaced
      }
    }
    if (p == Placement.FILLS) {
      slots.add(incoming);
      slots.sort(Comparator.comparing(s -> Slot.valueOf(s.getSlot()).ordinal()));
    } else {
      slots.set(i, incoming);
    }
    st.setSlots(slots);
    return true;
  }

  private static Acquisition acquisition(SlotImage s) {
    return new Acquisition(s.getAcquisitionTime(), s.getInstanceNumber());
  }

  /**
   * Releases the exams whose quiet period has passed as partial exams and removes released exams
   * after the retention period: only the exams the {@link ExamDeadlines} index says are due are
   * read, so a punctuation costs what is due plus a slice of the store checked (a pass every {@link
   * #CHECK_PASS_MS}), not the whole store.
   */
  private void punctuate(long now) {
    long t0 = System.nanoTime();
    releaseDeferred(true, now);
    settleOldestHeld();
    if (!indexed) {
      index();
    } else {
      checkSlice();
    }
    for (String study : deadlines.due(now)) {
      ExamAssemblyState st = store.get(study);
      if (st == null) {
        deadlines.remove(study);
        continue;
      }
      boolean quiet = now - st.getLastImageAt() >= settings.quietPeriodMs();
      boolean complete = st.getSlots().size() == 4;
      boolean pending = ExamDeadlines.waitsForRelease(st);
      if ((quiet || complete) && pending) {
        // a complete exam waits only when the process stopped before its release
        release(study, st, !complete, now);
        store.put(study, st);
        deadlines.put(study, st);
      } else if (!pending
          && st.getReleasedAt() != null
          && now - st.getReleasedAt() >= settings.retentionMs()) {
        store.delete(study);
        deadlines.remove(study);
      } else {
        deadlines.put(study, st); // filed earlier than it is due: filed again as the store has it
      }
    }
    metrics.storeSize(deadlines.size());
    metrics.punctuated(System.nanoTime() - t0);
  }

  /**
   * Writes the held encodings of the oldest exams beyond {@link #MAX_HELD_EXAMS} into their state
   * (exams that stay incomplete: they are released only after the quiet period).
   */
  private void settleOldestHeld() {
    while (held.size() > MAX_HELD_EXAMS) {
      String study = held.keySet().iterator().next();
      ExamAssemblyState st = store.get(study);
      if (st == null) {
        held.remove(study);
        continue;
      }
      fill(study, st);
      store.put(study, st);
    }
  }

  /** Files every exam of the store (once after the processor starts: the store is restored). */
  private void index() {
    long t0 = System.nanoTime();
    deadlines.clear();
    try (KeyValueIterator<String, ExamAssemblyState> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, ExamAssemblyState> kv = it.next();
        deadlines.put(kv.key, kv.value);
      }
    }
    indexed = true;
    LOG.info(
        "{} exams in the assembly store indexed by when they are due in {} ms",
        deadlines.size(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * Checks the next slice of the store against the index and files any exam it does not hold as due
   * when it is (a store written past the index would otherwise keep an exam from ever being
   * released or removed): a whole pass over the store every {@link #CHECK_PASS_MS}.
   */
  private void checkSlice() {
    int slice =
        (int)
            Math.min(
                Integer.MAX_VALUE,
                Math.max(
                    MIN_CHECK_SLICE,
                    (long)
                        Math.ceil(
                            deadlines.size() * (double) punctuationIntervalMs / CHECK_PASS_MS)));
    int missed = 0;
    try (KeyValueIterator<String, ExamAssemblyState> it =
        sliceFrom == null ? store.all() : store.range(sliceFrom, null)) {
      for (int n = 0; n < slice && it.hasNext(); n++) {
        KeyValue<String, ExamAssemblyState> kv = it.next();
        if (!deadlines.filedAt(kv.key, deadlines.dueAt(kv.value))) {
          deadlines.put(kv.key, kv.value);
          missed++;
        }
      }
      sliceFrom = it.hasNext() ? it.peekNextKey() : null;
    }
    if (missed > 0) {
      LOG.warn(
          "{} exams of the assembly store were not in the deadline index and are filed now:"
              + " a defect, please report it (they are released or removed when due)",
          missed);
    }
  }

  /** Releases the exam's next version: scores it, routes it and forwards its records. */
  private void release(String study, ExamAssemblyState st, boolean partial, long now) {
    int version = st.getVersion() + 1;
    st.setVersion(version);
    st.setChangedSinceRelease(false);
    st.setReleasedAt(now);
    EnumSet<Slot> filled = EnumSet.noneOf(Slot.class);
    for (SlotImage s : st.getSlots()) {
      filled.add(Slot.valueOf(s.getSlot()));
    }
    List<String> missing = EnumSet.complementOf(filled).stream().map(Enum::name).toList();
    fill(study, st);
    ReleaseScoring.Outcome outcome = scoring.score(study, st);
    ScoreResult r = outcome.result();
    ModelThresholds t = Triage.thresholds(r.model().thresholds(), settings);
    DomainGate.Verdict domain =
        DomainGate.check(st.getSlots(), r.model().domain(), settings.domainEnforce());
    Category category = Triage.category(r, t, domain, settings.domainEnforce());
    boolean risky = Triage.riskElevated(r, t);
    boolean partialRelease = partial && !missing.isEmpty();
    List<String> reasons =
        new ArrayList<>(Triage.reasons(missing, partialRelease, version, r, category, risky));
    if (domain.out()) {
      reasons.addAll(domain.reasons());
    }
    if (outcome.reencoded() > 0) {
      reasons.add(ReleaseScoring.REENCODED);
      metrics.reencoded(outcome.reencoded());
    }
    // wall clock after scoring: the task's cached system time would hide the scoring time
    long decided = Math.max(now, System.currentTimeMillis());
    ExamRelease rel =
        new ExamRelease(
            study,
            st,
            filled.stream().map(Enum::name).toList(),
            missing,
            r,
            t,
            category,
            risky,
            reasons,
            now,
            decided,
            domain);
    forward(rel);
    metrics.released(
        partialRelease,
        version > 1,
        category.label(),
        rel.latencyFromFirstImageMs(),
        rel.latencyFromLastImageMs());
    LOG.info(
        "study {} v{} released ({} slots{}): {} suspicion {} model {}",
        study,
        version,
        filled.size(),
        partial ? ", quiet period" : "",
        category.label(),
        r.suspicion(),
        r.model().id());
  }

  @Override
  public void close() {
    // what is held is lost with the task: the state has each such slot without its encoding, and a
    // complete exam not yet released is due at once where the task runs next
    held.clear();
    open.clear();
    deferred.clear();
    if (archive != null) {
      archive.close();
    }
  }

  private void forward(ExamRelease rel) {
    long ts = rel.decidedAtMs();
    TriageDecision d = rel.triageDecision();
    ExamScore score = rel.examScore();
    context.forward(
        new Record<String, Object>(rel.study(), score, ts), ExamTriageTopology.SINK_SCORES);
    metrics.examScored(score, rel.result().model());
    context.forward(new Record<String, Object>(rel.study(), d, ts), rel.category().sinkName());
    if (rel.riskElevated()) {
      context.forward(new Record<String, Object>(rel.study(), d, ts), ExamTriageTopology.SINK_RISK);
    }
  }
}
