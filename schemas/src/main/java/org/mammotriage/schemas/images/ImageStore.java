package org.mammotriage.schemas.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.WorkingImageRef;

/**
 * The image store: a claim check for the working images (Hohpe and Woolf, <i>Enterprise Integration
 * Patterns</i>, 2003, "Claim Check"). With {@code images.store.dir} set, ingest writes each working
 * image PNG as a file named by its SHA-256 into a directory that ingest and streams share (a
 * ReadWriteMany volume in Kubernetes) and publishes the {@code MammogramImage} record, which
 * carries a {@link WorkingImageRef} (hash, length, CRC-32C) instead of the PNG, once the file is
 * readable under its name; the file is synced while Kafka takes the record ({@link #stage}). A
 * C-STORE is still answered success only after Kafka acknowledged the record and the file is
 * synced, so an acknowledged image's pixels are on disk. Streams reads the file back when it
 * encodes the image and checks length and CRC-32C; a file that is gone or changed is reported as
 * such, never decoded.
 *
 * <p>Why: a working image is 0.25-0.45 MB, about 1.7 MB an exam, and moving those bytes through
 * Kafka costs the broker and the stream thread more CPU than the rest of the stream's work
 * (docs/benchmarks.md). With the claim check the images topic carries about 1 KB a record.
 *
 * <p>Layout: {@code DIR/ab/ab….png} (256 subdirectories by the hash's first byte),
 * content-addressed, so the same PNG sent twice is one file and a retry rewrites nothing. {@link
 * #sweep} deletes files older than the retention (their modification time is renewed whenever
 * ingest stores the same PNG again); run it with a retention at least as long as {@code
 * mammo.images.v1}'s, so that no record outlives its image.
 *
 * <p>{@link #NONE} is the default: no store, the PNG travels in the record.
 */
public final class ImageStore {
  /** No image store: records carry their PNG; a record with a reference cannot be read. */
  public static final ImageStore NONE = new ImageStore(null);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final HexFormat HEX = HexFormat.of();

  private final Path dir;
  // subdirectories whose entry in dir this process has synced
  private final java.util.Set<Path> syncedSubdirectories =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ImageStore(Path dir) {
    this.dir = dir;
  }

  /**
   * The store at {@code dir} (created when missing), or {@link #NONE} for a blank setting.
   *
   * @throws IllegalArgumentException when the directory cannot be created or written, with what to
   *     do
   */
  public static ImageStore open(String dir) {
    if (dir == null || dir.isBlank()) {
      return NONE;
    }
    Path d = Path.of(dir.trim()).toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(d)) {
        Files.createDirectories(
            d); // an existing one is used as it is (streams mounts it read-only)
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "images.store.dir "
              + d
              + " cannot be created ("
              + e
              + "): mount the shared image volume there or fix the setting",
          e);
    }
    if (!Files.isDirectory(d) || !Files.isReadable(d)) {
      throw new IllegalArgumentException(
          "images.store.dir " + d + " is not a readable directory: fix the setting or the mount");
    }
    return new ImageStore(d);
  }

  /** Whether there is a store (else PNGs travel in the records). */
  public boolean enabled() {
    return dir != null;
  }

  /** The store's directory; null for {@link #NONE}. */
  public Path dir() {
    return dir;
  }

  /**
   * The record as it is published: with a store, the PNG written (and synced) to the store and the
   * record's PNG replaced by its reference; without one, the record unchanged.
   *
   * @throws IOException when the store did not take the PNG (full, read-only, unmounted): the
   *     caller must not publish, and the sender should retry
   */
  public MammogramImage checkIn(MammogramImage img) throws IOException {
    CheckIn c = stage(img);
    c.sync();
    return c.image();
  }

  /**
   * The first half of {@link #checkIn}: the PNG written under its final name, readable by every
   * process that shares the volume (closed before it is renamed, so network file systems have sent
   * the data), but not yet durable; {@link CheckIn#sync} makes it so. Ingest publishes the record
   * while the sync runs and answers the C-STORE only when both are done, so the C-STORE waits for
   * the longer of the two instead of their sum. A crash in between loses nothing acknowledged: the
   * C-STORE was not answered, the sender sends again, and the copy a crash damaged fails the CRC
   * check and is rewritten.
   *
   * @throws IOException when the store did not take the PNG: the caller must not publish
   */
  public CheckIn stage(MammogramImage img) throws IOException {
    if (dir == null || img.getWorkingImagePng() == null) {
      return new CheckIn(img, null);
    }
    Staged s = stage(bytes(img.getWorkingImagePng()));
    return new CheckIn(
        MammogramImage.newBuilder(img).setWorkingImagePng(null).setWorkingImageRef(s.ref()).build(),
        s);
  }

  /**
   * Writes a PNG into the store (durably: file and directories synced) unless a file of its hash
   * and length is there already, whose modification time is then renewed.
   */
  public WorkingImageRef put(byte[] png) throws IOException {
    Staged s = stage(png);
    s.sync();
    return s.ref();
  }

  /**
   * Writes a PNG under its final name unless a file of its hash, length and CRC-32C is there
   * already (its modification time is then renewed); nothing is synced yet ({@link Staged#sync}).
   */
  public Staged stage(byte[] png) throws IOException {
    requireStore();
    String sha = sha256(png);
    CRC32C crc = new CRC32C();
    crc.update(png);
    WorkingImageRef ref = new WorkingImageRef(sha, png.length, crc.getValue());
    Path target = path(sha);
    try {
      if (Files.size(target) == png.length
          && crc32c(Files.readAllBytes(target)) == crc.getValue()) {
        Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
        // stored before (a retry, or the same image again), perhaps by a writer still syncing it:
        // it is synced again; a damaged copy is rewritten
        return new Staged(ref, target);
      }
    } catch (NoSuchFileException e) {
      // not stored yet
    }
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    Path tmp = parent.resolve("." + sha + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(png);
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new Staged(ref, target);
  }

  /** A PNG under its final name in the store, readable, durable once {@link #sync} returned. */
  public final class Staged {
    private final WorkingImageRef ref;
    private final Path file;

    private Staged(WorkingImageRef ref, Path file) {
      this.ref = ref;
      this.file = file;
    }

    public WorkingImageRef ref() {
      return ref;
    }

    /**
     * Syncs the file's data, its directory entry and, the first time this process uses a
     * subdirectory, the store directory's entry for it (another writer may have created it and not
     * synced it yet).
     *
     * @throws IOException when the volume cannot sync it (or the file is gone): not durable
     */
    public void sync() throws IOException {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ch.force(true);
      }
      Path parent = file.getParent();
      syncDirectory(parent); // the name
      if (!syncedSubdirectories.contains(parent)) {
        syncDirectory(dir); // the subdirectory's name
        syncedSubdirectories.add(parent);
      }
    }
  }

  /**
   * A record as it is published ({@link #image}) and, with a store, its PNG staged in it; {@link
   * #sync} makes that durable (nothing to do without a store).
   */
  public record CheckIn(MammogramImage image, Staged staged) {
    public void sync() throws IOException {
      if (staged != null) {
        staged.sync();
      }
    }

    /** Whether {@link #sync} has anything to do. */
    public boolean needsSync() {
      return staged != null;
    }
  }

  /**
   * The record's working image PNG: its own bytes, or the store's file its reference names, checked
   * against the reference's length and CRC-32C.
   *
   * @throws MissingImageException when the store has no such file, or the file is not the one the
   *     record names (changed, truncated), or the record has no image at all: reading again will
   *     not help
   * @throws IOException when the store cannot be read now (an I/O error, an unmounted volume):
   *     reading again later may
   */
  public byte[] pngOf(MammogramImage img) throws IOException {
    if (img.getWorkingImagePng() != null) {
      return bytes(img.getWorkingImagePng());
    }
    WorkingImageRef ref = img.getWorkingImageRef();
    if (ref == null) {
      throw new MissingImageException("the record carries no working image and no reference");
    }
    return get(ref);
  }

  /** The PNG a reference names, checked; see {@link #pngOf}. */
  public byte[] get(WorkingImageRef ref) throws IOException {
    String sha = ref.getSha256().toString();
    if (!SHA256.matcher(sha).matches()) {
      throw new MissingImageException(
          "the image reference is not a SHA-256 name (" + bounded(sha) + "): the record is bad");
    }
    if (dir == null) {
      throw new MissingImageException(
          "the record's working image is in an image store (sha256 "
              + sha
              + ") but images.store.dir is not set: set it to the directory ingest writes to");
    }
    Path p = path(sha);
    byte[] png;
    try {
      png = Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      if (!Files.isDirectory(dir)) {
        throw new IOException(
            "the image store " + dir + " is not there (volume not mounted?): will try again", e);
      }
      throw new MissingImageException(
          "the image store "
              + dir
              + " has no "
              + sha
              + ".png: deleted by the store's retention, or this process does not share the"
              + " volume ingest writes to");
    }
    long crc = crc32c(png);
    if (png.length != ref.getLength() || crc != ref.getCrc32c()) {
      throw new MissingImageException(
          "the image store's "
              + sha
              + ".png is not the image the record names ("
              + png.length
              + " bytes, CRC-32C "
              + Long.toHexString(crc)
              + "; the record says "
              + ref.getLength()
              + " bytes, "
              + Long.toHexString(ref.getCrc32c())
              + "): the file was changed or truncated");
    }
    return png;
  }

  /**
   * Deletes images not stored or renewed within {@code retention}, and leftover temporary files of
   * writes that did not finish.
   *
   * @return how many files were deleted
   */
  public int sweep(Duration retention) throws IOException {
    requireStore();
    Instant before = Instant.now().minus(retention);
    int deleted = 0;
    try (DirectoryStream<Path> subdirectories = Files.newDirectoryStream(dir)) {
      for (Path a : subdirectories) {
        if (!Files.isDirectory(a)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(a)) {
          for (Path f : files) {
            try {
              if (Files.getLastModifiedTime(f).toInstant().isBefore(before)
                  && Files.deleteIfExists(f)) {
                deleted++;
              }
            } catch (NoSuchFileException e) {
              // another instance swept it
            }
          }
        }
      }
    }
    return deleted;
  }

  /** Where a PNG of this hash lives. */
  Path path(String sha) {
    return dir.resolve(sha.substring(0, 2)).resolve(sha + ".png");
  }

  private void requireStore() {
    if (dir == null) {
      throw new IllegalStateException("no image store configured (images.store.dir)");
    }
  }

  private static void syncDirectory(Path d) {
    // a directory's entry is durable only once the directory itself is synced (fsync(2) NOTES);
    // platforms that cannot open a directory for it (Windows) have nothing to sync
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // best effort where directories cannot be opened
    }
  }

  private static long crc32c(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return c.getValue();
  }

  static String sha256(byte[] b) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    if (d.hasArray()
        && d.arrayOffset() == 0
        && d.position() == 0
        && d.remaining() == d.array().length) {
      return d.array();
    }
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  private static String bounded(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  /** The record's image cannot be had from the store, and trying again will not change that. */
  public static final class MissingImageException extends IOException {
    public MissingImageException(String message) {
      super(message);
    }
  }

  /** An {@link IOException} of the store, unchecked, for callers that cannot throw one. */
  public static final class UnavailableException extends UncheckedIOException {
    public UnavailableException(IOException cause) {
      super("the image store cannot be read now: " + cause.getMessage(), cause);
    }
  }
}
