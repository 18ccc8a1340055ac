package org.mammotriage.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.registry.RegistrySettings;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.FakeSchemaRegistry;
import org.mammotriage.testing.SampleRecords;

class SerdeRoundTripTest {
  private static final List<SpecificRecord> SAMPLES =
      List.of(
          SampleRecords.image("1.2.3", "1.2.3.4", Laterality.R, "MLO", new byte[] {1, 2, 3}),
          SampleRecords.rejected(),
          SampleRecords.score(),
          SampleRecords.decision());

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> T roundTrip(SerdeFactory f, T rec) {
    Serde<T> serde = f.serde((Class<T>) rec.getClass(), false);
    String topic =
        "mammo.test." + rec.getClass().getSimpleName() + ".v1"; // one subject per record type
    byte[] bytes = serde.serializer().serialize(topic, rec);
    return serde.deserializer().deserialize(topic, bytes);
  }

  @Test
  void shouldRoundTripEveryRecordInSingleObjectEncoding() {
    SerdeFactory f = SerdeFactory.singleObject();
    for (SpecificRecord r : SAMPLES) {
      assertThat(roundTrip(f, r)).isEqualTo(r);
    }
  }

  @Test
  void shouldRoundTripEveryRecordInConfluentFramingAgainstRegistry() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SerdeFactory f =
          SerdeFactory.registry(new SchemaRegistryClient(RegistrySettings.of(reg.url())));
      for (SpecificRecord r : SAMPLES) {
        assertThat(roundTrip(f, r)).isEqualTo(r);
      }
      Serde<MammogramImage> s = f.serde(MammogramImage.class, false);
      byte[] bytes = s.serializer().serialize("t", (MammogramImage) SAMPLES.get(0));
      assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
      assertThat(java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id").isPositive();
    }
  }

  @Test
  void shouldRejectBytesOfTheOtherWireFormatWithAClearMessage() throws Exception {
    MammogramImage img = (MammogramImage) SAMPLES.get(0);
    byte[] single =
        SerdeFactory.singleObject()
            .serde(MammogramImage.class, false)
            .serializer()
            .serialize("t", img);
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SerdeFactory confluent =
          SerdeFactory.registry(new SchemaRegistryClient(RegistrySettings.of(reg.url())));
      assertThatThrownBy(
              () ->
                  confluent
                      .serde(MammogramImage.class, false)
                      .deserializer()
                      .deserialize("t", single))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("Confluent framing");
    }
    assertThatThrownBy(
            () ->
                SerdeFactory.singleObject()
                    .serde(MammogramImage.class, false)
                    .deserializer()
                    .deserialize("t", new byte[] {0, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("single-object");
  }

  /**
   * mammo.scores.v1 keeps every record (retention -1) and the decision topics 90 days: records
   * written before the domain gate (ExamScore v1, TriageDecision v1) must still decode, with the
   * new fields at their defaults.
   */
  @Test
  void shouldDecodeScoresAndDecisionsWrittenBeforeTheDomainGate() throws Exception {
    for (Class<? extends org.apache.avro.specific.SpecificRecord> type :
        List.of(
            org.mammotriage.schemas.avro.ExamScore.class,
            org.mammotriage.schemas.avro.TriageDecision.class)) {
      org.apache.avro.Schema v1;
      try (var in =
          getClass().getResourceAsStream("/pinned/" + type.getSimpleName() + ".v1.avsc")) {
        v1 = new org.apache.avro.Schema.Parser().parse(in);
      }
      org.apache.avro.specific.SpecificRecord current =
          type == org.mammotriage.schemas.avro.ExamScore.class
              ? org.mammotriage.testing.SampleRecords.score()
              : org.mammotriage.testing.SampleRecords.decision();
      // the sample as the v1 writer wrote it: its v1 fields only
      var old = new org.apache.avro.generic.GenericData.Record(v1);
      for (org.apache.avro.Schema.Field f : v1.getFields()) {
        old.put(f.name(), current.get(current.getSchema().getField(f.name()).pos()));
      }
      org.apache.avro.generic.GenericData gd = new org.apache.avro.generic.GenericData();
      gd.addLogicalTypeConversion(
          new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
      java.nio.ByteBuffer written =
          new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                  gd, v1)
              .encode(old);
      byte[] bytes = new byte[written.remaining()];
      written.get(bytes);
      Object back =
          new org.mammotriage.schemas.serde.SingleObjectAvroSerde<>(type)
              .deserializer()
              .deserialize("t", bytes);
      org.apache.avro.specific.SpecificRecord r = (org.apache.avro.specific.SpecificRecord) back;
      assertThat(r.get(r.getSchema().getField("domainVerdict").pos()))
          .as(type.getSimpleName())
          .isNull();
      assertThat((List<?>) r.get(r.getSchema().getField("domainReasons").pos())).isEmpty();
      assertThat(r.get(r.getSchema().getField("examKey").pos()).toString())
          .isEqualTo(current.get(current.getSchema().getField("examKey").pos()).toString());
    }
  }

  @Test
  void shouldDecodeAnAssemblyStateWrittenWithTheFirstStateSchema() throws Exception {
    // given: a state record as the version before contract 2 wrote it (working image in the slot)
    org.apache.avro.Schema v1;
    try (var in = getClass().getResourceAsStream("/pinned/ExamAssemblyState.v1.avsc")) {
      v1 = new org.apache.avro.Schema.Parser().parse(in);
    }
    var slot =
        new org.apache.avro.generic.GenericData.Record(
            v1.getField("slots").schema().getElementType());
    slot.put("slot", "L_CC");
    slot.put("sopInstanceUid", "1.2.3.4");
    slot.put("acquisitionTime", 5L);
    slot.put("instanceNumber", 1);
    slot.put("png", java.nio.ByteBuffer.wrap(new byte[] {9, 8, 7}));
    var st = new org.apache.avro.generic.GenericData.Record(v1);
    st.put("studyInstanceUid", "1.2.3");
    st.put("patientKey", "pk");
    st.put("accessionNumber", null);
    st.put("version", 1);
    st.put("changedSinceRelease", false);
    st.put("firstImageAt", 1L);
    st.put("lastImageAt", 2L);
    st.put("releasedAt", 3L);
    st.put("seenSops", List.of("1.2.3.4"));
    st.put("extraViews", List.of());
    st.put("slots", List.of(slot));
    java.nio.ByteBuffer written =
        new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), v1)
            .encode(st);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);
    // when: the current state serde reads it (a restore after an upgrade)
    var state =
        SerdeFactory.singleObject()
            .serde(org.mammotriage.schemas.avro.ExamAssemblyState.class, false)
            .deserializer()
            .deserialize("exam-assembly-store-changelog", bytes);
    // then: the image is there and there is no encoding yet
    assertThat(state.getVersion()).isEqualTo(1);
    var s0 = state.getSlots().get(0);
    assertThat(s0.getPng().array()).containsExactly(9, 8, 7);
    assertThat(s0.getEncoding()).isNull();
    assertThat(s0.getSourceOffset()).isNull();
  }
}
