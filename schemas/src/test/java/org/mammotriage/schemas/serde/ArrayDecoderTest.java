package org.mammotriage.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.testing.SampleRecords;

/**
 * The decoder behind both wire formats against Avro's own: the same records, a large PNG as a
 * read-only view of the record array, and damaged input ending in a {@link SerializationException}.
 */
class ArrayDecoderTest {
  private static byte[] png(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static final List<SpecificRecord> RECORDS =
      List.of(
          SampleRecords.image("1.2.3", "1.2.3.4", Laterality.R, "MLO", png(3, 1)),
          SampleRecords.image("1.2.3", "1.2.3.5", Laterality.L, "CC", png(400_000, 2)),
          SampleRecords.image(
              "1.2.3", "1.2.3.6", Laterality.L, "CC", png(ArrayDecoder.VIEW_MIN - 1, 3)),
          SampleRecords.rejected(),
          SampleRecords.score(),
          SampleRecords.decision());

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> Serde<T> serde(T rec) {
    return new SingleObjectAvroSerde<>((Class<T>) rec.getClass());
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void shouldDecodeEveryRecordExactlyAsAvrosOwnDecoderDoes() throws Exception {
    for (SpecificRecord r : RECORDS) {
      Serde<SpecificRecord> s = serde(r);
      byte[] wire = s.serializer().serialize("t", r);
      BinaryMessageDecoder avro =
          new BinaryMessageDecoder<>(SpecificData.getForClass(r.getClass()), r.getSchema());

      SpecificRecord ours = s.deserializer().deserialize("t", wire);

      assertThat(ours).isEqualTo(avro.decode(wire)).isEqualTo(r);
    }
  }

  @Test
  void shouldHandOutALargePngAsAReadOnlyViewOfTheRecordAndCopyASmallOne() {
    byte[] big = png(400_000, 4);
    MammogramImage img = SampleRecords.image("1.2.3", "1.2.3.4", Laterality.L, "CC", big);
    Serde<MammogramImage> s = serde(img);
    byte[] wire = s.serializer().serialize("t", img);

    ByteBuffer view = s.deserializer().deserialize("t", wire).getWorkingImagePng();

    assertThat(view.isReadOnly()).isTrue();
    assertThat(view.remaining()).isEqualTo(big.length);
    byte[] back = new byte[view.remaining()];
    view.duplicate().get(back);
    assertThat(back).isEqualTo(big);
    // a view: a change to the record's bytes shows through (nobody changes them: this proves
    // that no copy was made)
    int at = indexOf(wire, big);
    wire[at + 10] ^= 0x55;
    assertThat(view.get(10)).isEqualTo((byte) (big[10] ^ 0x55));

    byte[] small = png(100, 5);
    MammogramImage s2 = SampleRecords.image("1.2.3", "1.2.3.4", Laterality.L, "CC", small);
    ByteBuffer copied =
        s.deserializer().deserialize("t", s.serializer().serialize("t", s2)).getWorkingImagePng();
    assertThat(copied.isReadOnly()).isFalse();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < 64; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void shouldEndEveryTruncatedOrDamagedRecordInASerializationException() {
    Random rnd = new Random(7);
    for (SpecificRecord r : RECORDS) {
      Serde<SpecificRecord> s = serde(r);
      byte[] wire = s.serializer().serialize("t", r);
      for (int cut = 0; cut < wire.length; cut += Math.max(1, wire.length / 97)) {
        byte[] part = java.util.Arrays.copyOf(wire, cut);
        assertThatThrownBy(() -> s.deserializer().deserialize("t", part))
            .as("%s cut at %d of %d", r.getClass().getSimpleName(), cut, wire.length)
            .isInstanceOf(SerializationException.class);
      }
      for (int k = 0; k < 300; k++) {
        byte[] bad = wire.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int f = 0; f < flips; f++) {
          // past the header: the fingerprint would only name an unknown schema
          int at = 10 + rnd.nextInt(Math.min(bad.length - 10, 600));
          bad[at] = (byte) rnd.nextInt(256);
        }
        try {
          s.deserializer().deserialize("t", bad); // a flip can still be a valid record
        } catch (SerializationException expected) {
          // what a damaged record must end in
        }
      }
    }
  }

  @Test
  void shouldRefuseACountOrLengthLargerThanWhatIsLeftWithoutAllocatingIt() throws Exception {
    // an array that claims 2^40 items, a string that claims 2^40 bytes
    byte[] count = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40};
    assertThatThrownBy(() -> new ArrayDecoder(count, 0, count.length).readArrayStart())
        .isInstanceOf(java.io.EOFException.class)
        .hasMessageContaining("items");
    assertThatThrownBy(() -> new ArrayDecoder(count, 0, count.length).readBytes(null))
        .isInstanceOf(java.io.EOFException.class)
        .hasMessageContaining("bytes wanted");
    byte[] negative = {0x01}; // zig-zag -1
    assertThatThrownBy(() -> new ArrayDecoder(negative, 0, 1).readString())
        .isInstanceOf(java.io.EOFException.class);
    byte[] endless = new byte[12];
    java.util.Arrays.fill(endless, (byte) 0xff);
    assertThatThrownBy(() -> new ArrayDecoder(endless, 0, endless.length).readLong())
        .isInstanceOf(org.apache.avro.InvalidNumberEncodingException.class);
    assertThatThrownBy(() -> new ArrayDecoder(endless, 0, endless.length).readInt())
        .isInstanceOf(org.apache.avro.InvalidNumberEncodingException.class);
  }

  @Test
  void shouldDecodeTheNumbersOfTheAvroSpecification() throws Exception {
    // zig-zag varints (Avro specification, "Primitive Types"): 0, -1, 1, -64, 64, int min/max
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder e =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    int[] ints = {0, -1, 1, -64, 64, Integer.MIN_VALUE, Integer.MAX_VALUE};
    long[] longs = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};
    for (int i : ints) {
      e.writeInt(i);
    }
    for (long l : longs) {
      e.writeLong(l);
    }
    e.writeFloat(-1.5f);
    e.writeDouble(Math.PI);
    e.writeBoolean(true);
    e.writeString("Größe");
    e.flush();
    byte[] b = out.toByteArray();
    ArrayDecoder d = new ArrayDecoder(b, 0, b.length);
    for (int i : ints) {
      assertThat(d.readInt()).isEqualTo(i);
    }
    for (long l : longs) {
      assertThat(d.readLong()).isEqualTo(l);
    }
    assertThat(d.readFloat()).isEqualTo(-1.5f);
    assertThat(d.readDouble()).isEqualTo(Math.PI);
    assertThat(d.readBoolean()).isTrue();
    assertThat(d.readString()).isEqualTo("Größe");
  }
}
