package org.mammotriage.streams;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.schemas.avro.DomainView;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.ModelRef;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.avro.Thresholds;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.scoring.ScoreResult;

/**
 * One released exam version, scored and routed, and the two records it is written as: the {@link
 * ExamScore} (the audit trail) and the {@link TriageDecision} (what readers act on).
 *
 * @param study the study key
 * @param state the exam as released: its version, slots and image times are read from it
 * @param slotsFilled slot names with an image, in slot order
 * @param slotsMissing slot names without one, in slot order
 * @param releasedAtMs when the exam was released
 * @param decidedAtMs when the decision was made, after scoring
 */
record ExamRelease(
    String study,
    ExamAssemblyState state,
    List<String> slotsFilled,
    List<String> slotsMissing,
    ScoreResult result,
    ModelThresholds thresholds,
    Category category,
    boolean riskElevated,
    List<String> reasonCodes,
    long releasedAtMs,
    long decidedAtMs,
    DomainGate.Verdict domain) {

  /** Without a domain check (NOT_CHECKED). */
  ExamRelease(
      String study,
      ExamAssemblyState state,
      List<String> slotsFilled,
      List<String> slotsMissing,
      ScoreResult result,
      ModelThresholds thresholds,
      Category category,
      boolean riskElevated,
      List<String> reasonCodes,
      long releasedAtMs,
      long decidedAtMs) {
    this(
        study,
        state,
        slotsFilled,
        slotsMissing,
        result,
        thresholds,
        category,
        riskElevated,
        reasonCodes,
        releasedAtMs,
        decidedAtMs,
        DomainGate.Verdict.NOT);
  }

  /** The first slotted image's header value (the exam's source), or null. */
  String firstSlot(java.util.function.Function<SlotImage, String> f) {
    return state.getSlots().stream()
        .map(f)
        .filter(java.util.Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  List<DomainView> domainViews() {
    return state.getSlots().stream()
        .map(
            s ->
                DomainView.newBuilder()
                    .setSlot(s.getSlot())
                    .setOodScore(s.getEncoding() == null ? null : s.getEncoding().getOodScore())
                    .setInputMean(s.getEncoding() == null ? null : s.getEncoding().getInputMean())
                    .setInputStd(s.getEncoding() == null ? null : s.getEncoding().getInputStd())
                    .build())
        .toList();
  }

  ExamScore examScore() {
    ScoreResult r = result;
    ModelThresholds t = thresholds;
    return ExamScore.newBuilder()
        .setExamKey(study)
        .setExamVersion(state.getVersion())
        .setPatientKey(state.getPatientKey())
        .setAccessionNumber(state.getAccessionNumber())
        .setSlotsFilled(slotsFilled)
        .setSlotsMissing(slotsMissing)
        .setSopInstanceUids(state.getSlots().stream().map(SlotImage::getSopInstanceUid).toList())
        .setExtraViews(state.getExtraViews())
        .setScorable(r.scorable())
        .setUnscorableReason(r.unscorableReason())
        .setMalignancyLeft(r.malignancyLeft())
        .setMalignancyRight(r.malignancyRight())
        .setSuspicion(r.suspicion())
        .setRisk(risk())
        .setCategory(category.label())
        .setRiskElevated(riskElevated)
        .setReasonCodes(reasonCodes)
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
        .setFirstImageAt(Instant.ofEpochMilli(state.getFirstImageAt()))
        .setLastImageAt(Instant.ofEpochMilli(state.getLastImageAt()))
        .setReleasedAt(Instant.ofEpochMilli(releasedAtMs))
        .setScoredAt(Instant.ofEpochMilli(decidedAtMs))
        .setScoringMillis(r.scoringMillis())
        .setScorerDevice(r.device())
        .setDomainVerdict(domain.verdict())
        .setDomainReasons(domain.reasons())
        .setDomainViews(domainViews())
        .setSourceAe(firstSlot(SlotImage::getSourceAe))
        .setManufacturer(firstSlot(SlotImage::getManufacturer))
        .setManufacturerModel(firstSlot(SlotImage::getManufacturerModel))
        .build();
  }

  TriageDecision triageDecision() {
    ScoreResult r = result;
    return TriageDecision.newBuilder()
        .setExamKey(study)
        .setExamVersion(state.getVersion())
        .setPatientKey(state.getPatientKey())
        .setAccessionNumber(state.getAccessionNumber())
        .setCategory(category.label())
        .setRiskElevated(riskElevated)
        .setSuspicion(r.suspicion())
        .setMalignancyLeft(r.malignancyLeft())
        .setMalignancyRight(r.malignancyRight())
        .setRisk(risk())
        .setReasonCodes(reasonCodes)
        .setModelId(r.model().id())
        .setModelIntendedUse(r.model().intendedUse())
        .setDecidedAt(Instant.ofEpochMilli(decidedAtMs))
        .setLatencyFromFirstImageMs(latencyFromFirstImageMs())
        .setLatencyFromLastImageMs(latencyFromLastImageMs())
        .setDomainVerdict(domain.verdict())
        .setDomainReasons(domain.reasons())
        .build();
  }

  long latencyFromFirstImageMs() {
    return decidedAtMs - state.getFirstImageAt();
  }

  long latencyFromLastImageMs() {
    return decidedAtMs - state.getLastImageAt();
  }

  /** Five cumulative risks, or none when unscorable. */
  private List<Double> risk() {
    return result.risk() == null ? List.of() : Arrays.stream(result.risk()).boxed().toList();
  }
}
