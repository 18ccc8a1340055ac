package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.contract.domain.Range;
import org.mammotriage.contract.domain.ValidatedDomain;
import org.mammotriage.schemas.avro.SlotEncoding;
import org.mammotriage.schemas.avro.SlotImage;

/** The domain verdict of an exam and how each enforcement mode routes it. */
class DomainGateTest {
  static final OodReference OOD =
      new OodReference(
          OodReference.MAHALANOBIS_LAYERS,
          OodReference.INPUT_FEATURES,
          1,
          List.of(new OodReference.Layer("l", 0, new double[] {0}, new double[][] {{1}}, 0.1, 1)),
          4.0,
          0.01,
          100,
          "test");
  static final ValidatedDomain DOMAIN =
      new ValidatedDomain(
          List.of("Vendor A"),
          List.of(),
          List.of("FOR PRESENTATION"),
          new Range(0.05, 0.1),
          new Range(500, 1100),
          new Range(400, 900),
          new Range(0.1, 0.4),
          new Range(0.05, 0.3),
          OOD,
          null,
          "test");

  static SlotImage slot(String slot, String vendor, Double ood, double mean) {
    return SlotImage.newBuilder()
        .setSlot(slot)
        .setSopInstanceUid("1.2." + slot.length())
        .setManufacturer(vendor)
        .setManufacturerModel("DR")
        .setPresentationIntent("FOR PRESENTATION")
        .setPixelSpacingMm(0.07)
        .setOriginalRows(1000)
        .setOriginalColumns(800)
        .setSourceAe("AE1")
        .setEncoding(
            SlotEncoding.newBuilder()
                .setModelId("m")
                .setEmbedding(ByteBuffer.allocate(4))
                .setOutputs(Map.of())
                .setOodScore(ood)
                .setInputMean(mean)
                .setInputStd(0.2)
                .build())
        .build();
  }

  @Test
  void shouldBeInDomainWhenEveryCheckPassesAndNotCheckedWithoutADomain() {
    List<SlotImage> ok =
        List.of(slot("L_CC", "vendor a", 1.0, 0.2), slot("R_CC", "Vendor A", 3.9, 0.3));
    assertThat(DomainGate.check(ok, DOMAIN, DomainGate.Enforce.TRUE))
        .isEqualTo(new DomainGate.Verdict(DomainGate.IN_DOMAIN, List.of()));
    assertThat(DomainGate.check(ok, null, DomainGate.Enforce.TRUE).verdict())
        .isEqualTo(DomainGate.NOT_CHECKED);
  }

  @Test
  void shouldNameEachFailedCheckOnceAndEachOodViewBySlot() {
    List<SlotImage> bad =
        List.of(
            slot("L_CC", "Other", 9.0, 0.2),
            slot("L_MLO", "Other", 1.0, 0.9),
            slot("R_CC", "Vendor A", Double.NaN, 0.2));
    DomainGate.Verdict v = DomainGate.check(bad, DOMAIN, DomainGate.Enforce.TRUE);
    assertThat(v.verdict()).isEqualTo(DomainGate.OUT_OF_DOMAIN);
    assertThat(v.reasons())
        .containsExactly(
            "VENDOR_NOT_VALIDATED",
            "IMAGE_STATISTICS_OUTSIDE_DOMAIN",
            "OOD_EMBEDDING_L_CC",
            "OOD_EMBEDDING_R_CC");
    DomainGate.Verdict header = DomainGate.check(bad, DOMAIN, DomainGate.Enforce.HEADER_ONLY);
    assertThat(header.reasons()).containsExactly("VENDOR_NOT_VALIDATED");
    List<SlotImage> oodOnly = List.of(slot("R_MLO", "Vendor A", 5.0, 0.2));
    assertThat(DomainGate.check(oodOnly, DOMAIN, DomainGate.Enforce.HEADER_ONLY).verdict())
        .as("header-only ignores the OOD score")
        .isEqualTo(DomainGate.IN_DOMAIN);
  }

  @Test
  void shouldRouteOutOfDomainExamsToTheirCategoryOnlyWhenEnforcing() {
    DomainGate.Verdict out = new DomainGate.Verdict(DomainGate.OUT_OF_DOMAIN, List.of("X"));
    var r = TriageTest.scored(0.9);
    assertThat(Triage.category(r, TriageTest.T, out, DomainGate.Enforce.TRUE))
        .isEqualTo(Category.OUT_OF_DOMAIN);
    assertThat(Triage.category(r, TriageTest.T, out, DomainGate.Enforce.HEADER_ONLY))
        .isEqualTo(Category.OUT_OF_DOMAIN);
    assertThat(Triage.category(r, TriageTest.T, out, DomainGate.Enforce.FALSE))
        .isEqualTo(Category.SUSPICIOUS);
    assertThat(Triage.category(r, TriageTest.T, DomainGate.Verdict.NOT, DomainGate.Enforce.TRUE))
        .isEqualTo(Category.SUSPICIOUS);
  }

  @Test
  void shouldParseTheConfigValueAndRejectOthers() {
    assertThat(DomainGate.Enforce.parse("header-only")).isEqualTo(DomainGate.Enforce.HEADER_ONLY);
    assertThat(DomainGate.Enforce.parse(" FALSE ")).isEqualTo(DomainGate.Enforce.FALSE);
    assertThatThrownBy(() -> DomainGate.Enforce.parse("maybe")).hasMessageContaining("header-only");
  }
}
