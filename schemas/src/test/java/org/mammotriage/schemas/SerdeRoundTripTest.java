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
}
