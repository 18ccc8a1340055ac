package org.mammotriage.streams;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.contract.Slot;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.ModelRef;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.avro.Thresholds;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.ExamScoringService;
import org.mammotriage.scoring.ScoreResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles images into four-view exams (DESIGN §4) in the {@code exam-assembly-store}, keyed by
 * study: duplicates (same SOP UID) are ignored; a retake replaces a filled slot when it was
 * acquired later (then: higher instance number); extra and modified views are kept but not slotted.
 * An exam is released when its four slots are filled, or by a wall-clock punctuation after the
 * quiet period as a partial exam; a slot that changes after release releases version n+1. Every
 * release is scored and forwarded: an {@link ExamScore} to the scores sink, a {@link
 * TriageDecision} to the sink of its category, and to the risk sink when the 5-year risk is
 * elevated. Released exams are deleted after the retention period.
 */
public final class ExamAssembler implements Processor<String, MammogramImage, String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(ExamAssembler.class);
  private final TriageSettings settings;
  private final ExamScoringService scorer;
  private final StreamsMetrics metrics;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ExamAssemblyState> store;

  public ExamAssembler(TriageSettings settings, ExamScoringService scorer, StreamsMetrics metrics) {
    this.settings = settings;
    this.scorer = scorer;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(ExamTriageTopology.STORE);
    long every = Math.max(100, Math.min(settings.quietPeriodMs() / 4, 5_000));
    context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, MammogramImage> rec) {
    MammogramImage img = rec.value();
    String study = img.getStudyInstanceUid();
    long now = context.currentSystemTimeMs();
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
    if (st.getSeenSops().contains(img.getSopInstanceUid())) {
      LOG.debug("study {}: duplicate instance {} ignored", study, img.getSopInstanceUid());
      return;
    }
    List<String> seen = new ArrayList<>(st.getSeenSops());
    seen.add(img.getSopInstanceUid());
    st.setSeenSops(seen);
    st.setLastImageAt(now);
    String slot = slotOf(img);
    boolean changed = false;
    if (slot == null) {
      List<String> extras = new ArrayList<>(st.getExtraViews());
      extras.add(
          img.getLaterality()
              + "_"
              + img.getView()
              + (img.getViewModifiers().isEmpty()
                  ? ""
                  : "_" + String.join("_", img.getViewModifiers())));
      st.setExtraViews(extras);
    } else {
      changed = putSlot(st, slot, img);
    }
    if (changed && st.getVersion() > 0) {
      st.setChangedSinceRelease(true);
    }
    if (changed && st.getSlots().size() == 4) {
      release(study, st, false, now);
    }
    store.put(study, st);
  }

  /** The slot an image fills, or null for an extra view. */
  private String slotOf(MammogramImage img) {
    return settings
        .slotOf(img.getLaterality().name(), img.getView(), img.getViewModifiers())
        .map(Enum::name)
        .orElse(null);
  }

  /** Fills or replaces a slot; true when the exam's images changed. */
  private static boolean putSlot(ExamAssemblyState st, String slot, MammogramImage img) {
    SlotImage incoming =
        SlotImage.newBuilder()
            .setSlot(slot)
            .setSopInstanceUid(img.getSopInstanceUid())
            .setAcquisitionTime(
                img.getAcquisitionTime() == null ? null : img.getAcquisitionTime().toEpochMilli())
            .setInstanceNumber(img.getInstanceNumber())
            .setPng(img.getWorkingImagePng())
            .build();
    List<SlotImage> slots = new ArrayList<>(st.getSlots());
    for (int i = 0; i < slots.size(); i++) {
      SlotImage cur = slots.get(i);
      if (cur.getSlot().equals(slot)) {
        if (RETAKE_ORDER.compare(incoming, cur) > 0) {
          slots.set(i, incoming);
          st.setSlots(slots);
          return true;
        }
        return false; // an older acquisition of a filled slot: kept out
      }
    }
    slots.add(incoming);
    slots.sort(Comparator.comparing(s -> Slot.valueOf(s.getSlot()).ordinal()));
    st.setSlots(slots);
    return true;
  }

  private static final Comparator<SlotImage> RETAKE_ORDER =
      (a, b) ->
          compareAcquisitions(
              a.getAcquisitionTime(),
              a.getInstanceNumber(),
              b.getAcquisitionTime(),
              b.getInstanceNumber());

  /**
   * Orders two images of one slot: positive when the first is the later acquisition (acquisition
   * time in epoch ms, then instance number; an absent value counts as earliest). The later one is
   * the retake that fills the slot.
   */
  public static int compareAcquisitions(
      Long acquiredMsA, Integer instanceA, Long acquiredMsB, Integer instanceB) {
    int c =
        Long.compare(
            acquiredMsA == null ? Long.MIN_VALUE : acquiredMsA,
            acquiredMsB == null ? Long.MIN_VALUE : acquiredMsB);
    return c != 0
        ? c
        : Integer.compare(
            instanceA == null ? Integer.MIN_VALUE : instanceA,
            instanceB == null ? Integer.MIN_VALUE : instanceB);
  }

  private void punctuate(long now) {
    List<KeyValue<String, ExamAssemblyState>> toRelease = new ArrayList<>();
    List<String> toDelete = new ArrayList<>();
    long size = 0;
    try (KeyValueIterator<String, ExamAssemblyState> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, ExamAssemblyState> kv = it.next();
        size++;
        ExamAssemblyState st = kv.value;
        boolean quiet = now - st.getLastImageAt() >= settings.quietPeriodMs();
        boolean pending = st.getVersion() == 0 || st.getChangedSinceRelease();
        if (quiet && pending) {
          toRelease.add(kv);
        } else if (!pending
            && st.getReleasedAt() != null
            && now - st.getReleasedAt() >= settings.retentionMs()) {
          toDelete.add(kv.key);
        }
      }
    }
    metrics.storeSize(size - toDelete.size());
    for (KeyValue<String, ExamAssemblyState> kv : toRelease) {
      release(kv.key, kv.value, true, now);
      store.put(kv.key, kv.value);
    }
    for (String k : toDelete) {
      store.delete(k);
    }
  }

  private void release(String study, ExamAssemblyState st, boolean partial, long now) {
    int version = st.getVersion() + 1;
    st.setVersion(version);
    st.setChangedSinceRelease(false);
    st.setReleasedAt(now);
    List<ExamImage> images = new ArrayList<>();
    EnumSet<Slot> filled = EnumSet.noneOf(Slot.class);
    for (SlotImage s : st.getSlots()) {
      ByteBuffer b = s.getPng().duplicate();
      byte[] png = new byte[b.remaining()];
      b.get(png);
      images.add(new ExamImage(Slot.valueOf(s.getSlot()), png, s.getSopInstanceUid()));
      filled.add(Slot.valueOf(s.getSlot()));
    }
    List<String> missing = EnumSet.complementOf(filled).stream().map(Enum::name).toList();
    ScoreResult r = scorer.score(new ExamInput(study, images));
    ModelThresholds t = Triage.thresholds(r.model().thresholds(), settings);
    String category = Triage.category(r, t);
    boolean risky = Triage.riskElevated(r, t);
    List<String> reasons =
        Triage.reasons(missing, partial && !missing.isEmpty(), version, r, category, risky);
    // wall clock after scoring: the task's cached system time would hide the scoring time
    long decided = Math.max(now, System.currentTimeMillis());
    List<Double> risk =
        r.risk() == null ? List.of() : java.util.Arrays.stream(r.risk()).boxed().toList();
    ExamScore score =
        ExamScore.newBuilder()
            .setExamKey(study)
            .setExamVersion(version)
            .setPatientKey(st.getPatientKey())
            .setAccessionNumber(st.getAccessionNumber())
            .setSlotsFilled(filled.stream().map(Enum::name).toList())
            .setSlotsMissing(missing)
            .setSopInstanceUids(st.getSlots().stream().map(SlotImage::getSopInstanceUid).toList())
            .setExtraViews(st.getExtraViews())
            .setScorable(r.scorable())
            .setUnscorableReason(r.unscorableReason())
            .setMalignancyLeft(r.malignancyLeft())
            .setMalignancyRight(r.malignancyRight())
            .setSuspicion(r.suspicion())
            .setRisk(risk)
            .setCategory(category)
            .setRiskElevated(risky)
            .setReasonCodes(reasons)
            .setModel(
                ModelRef.newBuilder()
                    .setName(r.model().name())
                    .setVersion(r.model().version())
                    .setSha256(r.model().sha256())
                    .setIntendedUse(r.model().intendedUse())
                    .build())
            .setThresholds(
                Thresholds.newBuilder()
                    .setSuspicious(t.suspicious())
                    .setLow(t.low())
                    .setRisk5y(t.risk5y())
                    .setSource(t.provenance())
                    .build())
            .setFirstImageAt(Instant.ofEpochMilli(st.getFirstImageAt()))
            .setLastImageAt(Instant.ofEpochMilli(st.getLastImageAt()))
            .setReleasedAt(Instant.ofEpochMilli(now))
            .setScoredAt(Instant.ofEpochMilli(decided))
            .setScoringMillis(r.scoringMillis())
            .setScorerDevice(r.device())
            .build();
    TriageDecision d =
        TriageDecision.newBuilder()
            .setExamKey(study)
            .setExamVersion(version)
            .setPatientKey(st.getPatientKey())
            .setAccessionNumber(st.getAccessionNumber())
            .setCategory(category)
            .setRiskElevated(risky)
            .setSuspicion(r.suspicion())
            .setMalignancyLeft(r.malignancyLeft())
            .setMalignancyRight(r.malignancyRight())
            .setRisk(risk)
            .setReasonCodes(reasons)
            .setModelId(r.model().id())
            .setModelIntendedUse(r.model().intendedUse())
            .setDecidedAt(Instant.ofEpochMilli(decided))
            .setLatencyFromFirstImageMs(decided - st.getFirstImageAt())
            .setLatencyFromLastImageMs(decided - st.getLastImageAt())
            .build();
    long ts = decided;
    context.forward(new Record<String, Object>(study, score, ts), ExamTriageTopology.SINK_SCORES);
    context.forward(new Record<String, Object>(study, d, ts), ExamTriageTopology.sinkFor(category));
    if (risky) {
      context.forward(new Record<String, Object>(study, d, ts), ExamTriageTopology.SINK_RISK);
    }
    metrics.released(
        partial && !missing.isEmpty(),
        version > 1,
        category,
        decided - st.getFirstImageAt(),
        decided - st.getLastImageAt());
    LOG.info(
        "study {} v{} released ({} slots{}): {} suspicion {} model {}",
        study,
        version,
        filled.size(),
        partial ? ", quiet period" : "",
        category,
        r.suspicion(),
        r.model().id());
  }

  static Set<String> topicsWritten() {
    return Set.of(
        Topics.SCORES.name(),
        Topics.SUSPICIOUS.name(),
        Topics.ROUTINE.name(),
        Topics.LOW.name(),
        Topics.INCOMPLETE.name(),
        Topics.RISK_ELEVATED.name());
  }
}
