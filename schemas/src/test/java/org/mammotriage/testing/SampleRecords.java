package org.mammotriage.testing;

import java.nio.ByteBuffer;
import java.util.List;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.ModelRef;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.Thresholds;
import org.mammotriage.schemas.avro.TriageDecision;

/** Valid instances of each record for round-trip tests. */
public final class SampleRecords {
  private SampleRecords() {}

  public static MammogramImage image(
      String study, String sop, Laterality lat, String view, byte[] png) {
    return MammogramImage.newBuilder()
        .setStudyInstanceUid(study)
        .setSeriesInstanceUid(study + ".1")
        .setSopInstanceUid(sop)
        .setSopClassUid("1.2.840.10008.5.1.4.1.1.1.2")
        .setAccessionNumber("ACC1")
        .setPatientKey("ab12")
        .setPatientAgeYears(55)
        .setManufacturer("SYNTH")
        .setManufacturerModel("M1")
        .setLaterality(lat)
        .setView(view)
        .setPresentationIntent("FOR PRESENTATION")
        .setAcquisitionTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
        .setInstanceNumber(1)
        .setOriginalRows(4096)
        .setOriginalColumns(3328)
        .setPixelSpacingMm(List.of(0.07, 0.07))
        .setPreprocessingVersion("test")
        .setWorkingRows(1520)
        .setWorkingColumns(912)
        .setWorkingImagePng(ByteBuffer.wrap(png))
        .setReceivedAt(java.time.Instant.ofEpochMilli(1_700_000_000_500L))
        .setSourceAe("MODALITY")
        .build();
  }

  public static RejectedInstance rejected() {
    return RejectedInstance.newBuilder()
        .setReasonCode("NOT_MG")
        .setReasonText("Modality CT")
        .setStage("INGEST_SCP")
        .setSopInstanceUid("1.2.3")
        .setRejectedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
        .build();
  }

  public static ExamScore score() {
    return ExamScore.newBuilder()
        .setExamKey("1.2.3")
        .setExamVersion(1)
        .setPatientKey("ab12")
        .setSlotsFilled(List.of("L_CC", "L_MLO", "R_CC", "R_MLO"))
        .setSlotsMissing(List.of())
        .setScorable(true)
        .setMalignancyLeft(0.1)
        .setMalignancyRight(0.7)
        .setSuspicion(0.7)
        .setRisk(List.of(0.01, 0.02, 0.03, 0.04, 0.05))
        .setCategory("suspicious")
        .setModel(
            ModelRef.newBuilder()
                .setName("demo")
                .setVersion("1")
                .setSha256("00")
                .setIntendedUse("SYNTHETIC DEMO")
                .build())
        .setThresholds(
            Thresholds.newBuilder()
                .setSuspicious(0.5)
                .setLow(0.1)
                .setRisk5y(0.04)
                .setSource("manifest")
                .build())
        .setFirstImageAt(java.time.Instant.ofEpochMilli(1))
        .setLastImageAt(java.time.Instant.ofEpochMilli(2))
        .setReleasedAt(java.time.Instant.ofEpochMilli(3))
        .setScoredAt(java.time.Instant.ofEpochMilli(4))
        .setScorerDevice("cpu")
        .build();
  }

  public static TriageDecision decision() {
    return TriageDecision.newBuilder()
        .setExamKey("1.2.3")
        .setExamVersion(1)
        .setPatientKey("ab12")
        .setCategory("routine")
        .setRiskElevated(false)
        .setSuspicion(0.3)
        .setModelId("demo:1:00")
        .setModelIntendedUse("SYNTHETIC DEMO")
        .setDecidedAt(java.time.Instant.ofEpochMilli(5))
        .setLatencyFromFirstImageMs(4)
        .setLatencyFromLastImageMs(3)
        .build();
  }
}
