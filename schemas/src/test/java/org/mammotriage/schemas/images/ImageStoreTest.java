package org.mammotriage.schemas.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.WorkingImageRef;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.schemas.serde.SingleObjectAvroSerde;
import org.mammotriage.testing.SampleRecords;

class ImageStoreTest {
  @TempDir Path dir;

  private static byte[] png(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static MammogramImage image(byte[] png) {
    return SampleRecords.image("1.2.3", "1.2.3.4", Laterality.L, "CC", png);
  }

  private static long files(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void shouldPublishAReferenceAndGiveBackExactlyThePngItStored() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store").toString());
    byte[] png = png(300_000, 1);

    MammogramImage out = store.checkIn(image(png));

    assertThat(out.getWorkingImagePng()).isNull();
    WorkingImageRef ref = out.getWorkingImageRef();
    assertThat(ref.getSha256().toString()).isEqualTo(ImageStore.sha256(png));
    assertThat(ref.getLength()).isEqualTo(png.length);
    assertThat(store.pngOf(out)).isEqualTo(png);
    // the record that goes to Kafka is about a kilobyte, not the image
    byte[] wire =
        Topics.IMAGES.valueSerde(SerdeFactory.singleObject()).serializer().serialize("t", out);
    assertThat(wire.length).isLessThan(2_000);
    MammogramImage back =
        Topics.IMAGES.valueSerde(SerdeFactory.singleObject()).deserializer().deserialize("t", wire);
    assertThat(store.pngOf(back)).isEqualTo(png);
    // no temporary file is left behind
    assertThat(files(dir.resolve("store"))).isEqualTo(1);
  }

  @Test
  void shouldKeepOneFileForTheSamePngAndRenewItsTime() throws Exception {
    ImageStore store = ImageStore.open(dir.toString());
    byte[] png = png(10_000, 2);
    WorkingImageRef first = store.put(png);
    Path file = store.path(first.getSha256().toString());
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

    WorkingImageRef second = store.put(png);

    assertThat(second).isEqualTo(first);
    assertThat(files(dir)).isEqualTo(1);
    assertThat(Files.getLastModifiedTime(file).toInstant())
        .isAfter(Instant.now().minus(Duration.ofMinutes(1)));
  }

  @Test
  void shouldMakeAStagedPngReadableBeforeItIsSyncedAndSayWhenTheSyncCannotBeDone()
      throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("store").toString());
    byte[] png = png(40_000, 21);

    ImageStore.CheckIn in = store.stage(image(png));

    // readable under its name, with the reference the record will carry, before any sync
    assertThat(in.needsSync()).isTrue();
    assertThat(in.image().getWorkingImagePng()).isNull();
    assertThat(store.pngOf(in.image())).isEqualTo(png);
    assertThat(files(dir.resolve("store"))).isEqualTo(1); // no temporary file left
    in.sync();
    // staging the same PNG again (a retry, perhaps while the first writer still syncs) reuses the
    // file and syncs it again
    ImageStore.CheckIn again = store.stage(image(png));
    assertThat(again.image().getWorkingImageRef()).isEqualTo(in.image().getWorkingImageRef());
    again.sync();
    assertThat(files(dir.resolve("store"))).isEqualTo(1);

    // a file that went away before its sync is not durable: the sync says so
    ImageStore.CheckIn gone = store.stage(image(png(1_000, 22)));
    Files.delete(store.path(gone.image().getWorkingImageRef().getSha256().toString()));
    assertThatThrownBy(gone::sync).isInstanceOf(IOException.class);
    // without a store there is nothing to stage or sync
    MammogramImage plain = image(png);
    assertThat(ImageStore.NONE.stage(plain).image()).isSameAs(plain);
    assertThat(ImageStore.NONE.stage(plain).needsSync()).isFalse();
  }

  @Test
  void shouldRewriteAStoredCopyThatWasDamaged() throws Exception {
    ImageStore store = ImageStore.open(dir.toString());
    byte[] png = png(10_000, 12);
    WorkingImageRef ref = store.put(png);
    Path file = store.path(ref.getSha256().toString());
    byte[] damaged = png.clone();
    damaged[5] ^= 0x40;
    Files.write(file, damaged);

    store.put(png);

    assertThat(Files.readAllBytes(file)).isEqualTo(png);
    assertThat(store.get(ref)).isEqualTo(png);
  }

  @Test
  void shouldUseTheRecordsArrayOnlyWhenItIsExactlyTheImage() throws Exception {
    byte[] whole = {1, 2, 3, 4};
    MammogramImage img = image(whole);
    assertThat(ImageStore.NONE.pngOf(img)).isSameAs(whole);
    img.setWorkingImagePng(java.nio.ByteBuffer.wrap(whole, 1, 2));
    assertThat(ImageStore.NONE.pngOf(img)).containsExactly(2, 3);
    img.setWorkingImagePng(java.nio.ByteBuffer.wrap(whole).slice(1, 3));
    assertThat(ImageStore.NONE.pngOf(img)).containsExactly(2, 3, 4);
  }

  @Test
  void shouldPassARecordThatCarriesItsPngThroughUnchanged() throws Exception {
    byte[] png = png(1_000, 3);
    MammogramImage img = image(png);

    assertThat(ImageStore.NONE.checkIn(img)).isSameAs(img);
    assertThat(ImageStore.NONE.pngOf(img)).isEqualTo(png);
    assertThat(ImageStore.open(" ").enabled()).isFalse();
  }

  @Test
  void shouldSayAFileThatChangedOrIsGoneIsMissingNotCorrupt() throws Exception {
    ImageStore store = ImageStore.open(dir.toString());
    byte[] png = png(50_000, 4);
    MammogramImage rec = store.checkIn(image(png));
    Path file = store.path(rec.getWorkingImageRef().getSha256().toString());

    byte[] flipped = png.clone();
    flipped[1234] ^= 1;
    Files.write(file, flipped);
    assertThatThrownBy(() -> store.pngOf(rec))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("not the image the record names")
        .hasMessageContaining("changed or truncated");

    Files.write(file, java.util.Arrays.copyOf(png, 49_000));
    assertThatThrownBy(() -> store.pngOf(rec))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("49000 bytes");

    Files.delete(file);
    assertThatThrownBy(() -> store.pngOf(rec))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("has no")
        .hasMessageContaining("retention");
  }

  @Test
  void shouldCallAStoreThatIsNotThereUnavailableNotMissing() throws Exception {
    Path d = dir.resolve("mount");
    ImageStore store = ImageStore.open(d.toString());
    MammogramImage rec = store.checkIn(image(png(5_000, 5)));
    try (Stream<Path> s = Files.walk(d)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    assertThatThrownBy(() -> store.pngOf(rec))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("not mounted");
  }

  @Test
  void shouldRefuseAReferenceThatIsNotAHashAndAReferenceWithoutAStore() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("s").toString());
    Files.writeString(dir.resolve("secret.png"), "x");
    MammogramImage hostile =
        MammogramImage.newBuilder(image(new byte[1]))
            .setWorkingImagePng(null)
            .setWorkingImageRef(new WorkingImageRef("../../secret", 1, 0L))
            .build();

    assertThatThrownBy(() -> store.pngOf(hostile))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("not a SHA-256 name");

    MammogramImage ref = store.checkIn(image(png(100, 6)));
    assertThatThrownBy(() -> ImageStore.NONE.pngOf(ref))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("images.store.dir is not set");
    MammogramImage neither =
        MammogramImage.newBuilder(image(new byte[1])).setWorkingImagePng(null).build();
    assertThatThrownBy(() -> store.pngOf(neither))
        .isInstanceOf(ImageStore.MissingImageException.class)
        .hasMessageContaining("no working image");
  }

  @Test
  void shouldSweepOnlyImagesOlderThanTheRetention() throws Exception {
    ImageStore store = ImageStore.open(dir.toString());
    WorkingImageRef old = store.put(png(2_000, 7));
    WorkingImageRef fresh = store.put(png(2_000, 8));
    Files.setLastModifiedTime(
        store.path(old.getSha256().toString()),
        FileTime.from(Instant.now().minus(Duration.ofDays(9))));

    assertThat(store.sweep(Duration.ofDays(8))).isEqualTo(1);

    assertThat(Files.exists(store.path(old.getSha256().toString()))).isFalse();
    assertThat(Files.exists(store.path(fresh.getSha256().toString()))).isTrue();
    assertThat(store.sweep(Duration.ofDays(8))).isZero();
  }

  @Test
  void shouldSayWhatToDoWhenTheDirectoryCannotBeMade() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");

    assertThatThrownBy(() -> ImageStore.open(file.resolve("store").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("images.store.dir")
        .hasMessageContaining("mount the shared image volume");
  }

  @Test
  void shouldReadAnImageRecordWrittenBeforeTheImageStoreExisted() throws Exception {
    // a record written by the version before (schema v1: the PNG required, no reference), as a
    // streams app upgraded over a backlog meets it
    Schema v1;
    try (var in = getClass().getResourceAsStream("/pinned/MammogramImage.v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    byte[] png = png(3_000, 9);
    MammogramImage current = image(png);
    GenericData.Record old = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) {
      Object v = current.get(f.name());
      if (v instanceof Instant t) {
        v = t.toEpochMilli();
      } else if (v instanceof Laterality l) {
        v = new GenericData.EnumSymbol(f.schema(), l.name());
      }
      old.put(f.name(), v);
    }
    byte[] wire =
        new BinaryMessageEncoder<GenericData.Record>(GenericData.get(), v1).encode(old).array();

    MammogramImage read =
        new SingleObjectAvroSerde<>(MammogramImage.class).deserializer().deserialize("t", wire);

    assertThat(read.getWorkingImageRef()).isNull();
    assertThat(ImageStore.NONE.pngOf(read)).isEqualTo(png);
  }
}
