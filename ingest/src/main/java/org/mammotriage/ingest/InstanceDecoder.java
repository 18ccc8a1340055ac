package org.mammotriage.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.dicom.Classification;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.dicom.StructureCheck;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.StoredPixels;
import org.mammotriage.ingest.preprocess.WorkingImage;

/**
 * The two steps every DICOM file goes through before anything is published, shared by the ingest
 * pipeline and {@code mammotriage score} so that a file scored by hand is read exactly as ingest
 * reads it: (1) size check, header-only parse and classification; (2) full decode and preprocessing
 * to the working image. Both steps throw {@link RejectedException} with a stable reason code.
 */
public final class InstanceDecoder {
  private final InstanceClassifier classifier;
  private final Limits limits;
  private final Preprocessor preprocessor;

  public InstanceDecoder(InstanceClassifier classifier, Limits limits, Preprocessor preprocessor) {
    this.classifier = classifier;
    this.limits = limits;
    this.preprocessor = preprocessor;
  }

  /** Limits, Secondary Capture acceptance and working size from ingest's configuration keys. */
  public static InstanceDecoder fromConfig(MammoConfig cfg) {
    Limits limits = limitsFromConfig(cfg);
    return new InstanceDecoder(
        new InstanceClassifier(cfg.getBoolean(IngestConfig.ACCEPT_SECONDARY_CAPTURE), limits),
        limits,
        new Preprocessor(
            cfg.getInt(IngestConfig.WORKING_ROWS), cfg.getInt(IngestConfig.WORKING_COLUMNS)));
  }

  static Limits limitsFromConfig(MammoConfig cfg) {
    return new Limits(
        cfg.getInt(IngestConfig.MAX_ROWS),
        cfg.getInt(IngestConfig.MAX_COLUMNS),
        cfg.getInt(IngestConfig.MAX_FRAMES),
        cfg.getLong(IngestConfig.MAX_BYTES),
        cfg.getInt(IngestConfig.MAX_SEQUENCE_DEPTH),
        cfg.getInt(IngestConfig.MAX_ELEMENTS),
        cfg.getInt(IngestConfig.MAX_VALUE_LENGTH));
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Step 1: checks the file size and the element structure ({@link StructureCheck}), reads the
   * header (everything before the pixel data) into {@code header} and classifies it. The header is
   * filled as far as it could be read even when this throws, so a rejection can still name the
   * instance.
   */
  public Classification readHeader(Path file, long size, AttributeList header)
      throws RejectedException {
    return inspect(file, size, header).classification();
  }

  /**
   * What step 1 learned of a file: its classification, its structure (where a native pixel data
   * value lies, {@link #decode(Path, AttributeList, Header)} reads it from there), and how much of
   * the file a full parse should read: all of it, or up to zero padding after the last element
   * (PixelMed would read the padding as a run of (0000,0000) elements and print "Illegal duplicate
   * tag" for each to standard error).
   */
  public record Header(
      Classification classification, StructureCheck.Summary structure, long dataEnd) {}

  /** {@link #readHeader}, also returning where the file's pixel data lies and its extent. */
  public Header inspect(Path file, long size, AttributeList header) throws RejectedException {
    if (size > limits.maxBytes()) {
      throw new RejectedException(
          Reason.TOO_LARGE, size + " bytes exceeds ingest.limit.bytes=" + limits.maxBytes());
    }
    StructureCheck.Summary structure = StructureCheck.check(file, limits, header);
    header.clear(); // PixelMed reads into an empty list (it complains of every tag already there)
    long dataEnd = structure.paddingFrom() >= 0 ? structure.paddingFrom() : size;
    try (DicomInputStream in =
        new DicomInputStream(
            new BufferedInputStream(new BoundedInputStream(Files.newInputStream(file), dataEnd)))) {
      header.read(in, TagFromName.PixelData);
    } catch (IOException | DicomException | RuntimeException e) {
      throw new RejectedException(Reason.CORRUPT, "not a readable DICOM file: " + e, e);
    } catch (StackOverflowError e) {
      // StructureCheck bounds the nesting first; this is the backstop should PixelMed recurse
      // anyway
      throw new RejectedException(Reason.LIMIT_EXCEEDED, "the header nests too deeply to read", e);
    }
    Classification c = classifier.classify(header, str(header, TagFromName.TransferSyntaxUID));
    classifier.checkPixelFormat(header);
    return new Header(c, structure, dataEnd);
  }

  /** A fully read instance and its working image. */
  public record Decoded(AttributeList attributes, WorkingImage workingImage) {}

  /**
   * Step 2: reads the whole file and preprocesses its pixels (call after {@link #readHeader}).
   * Throws {@link RejectedException} for what is wrong with the instance, and {@link IOException}
   * for what is not its fault (the spool file gone, an interrupt at shutdown, writing the working
   * image): the sender should send such an instance again.
   */
  public Decoded decode(Path file, AttributeList header, Header h)
      throws RejectedException, IOException {
    StructureCheck.Summary st = h.structure();
    int bitsAllocated =
        Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 16);
    boolean direct =
        st.nativePixelsAt()
            && header.get(TagFromName.PixelData) == null
            && (bitsAllocated == 8 || bitsAllocated == 16)
            && Attribute.getSingleIntegerValueOrDefault(header, TagFromName.SamplesPerPixel, 1) == 1
            && Attribute.getSingleIntegerValueOrDefault(header, TagFromName.NumberOfFrames, 1) <= 1
            && st.pixelDataLength() <= Integer.MAX_VALUE - 16;
    if (!direct) {
      return decode(file, h.dataEnd());
    }
    classifier.checkPixelDataLength(header, st.pixelDataLength());
    int len = (int) st.pixelDataLength();
    byte[] buf = PIXEL_BUFFER.get();
    if (buf.length < len) {
      buf = new byte[len];
      PIXEL_BUFFER.set(buf);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
      long pos = st.pixelDataOffset();
      while (bb.hasRemaining()) {
        int r = ch.read(bb, pos);
        if (r < 0) {
          throw new RejectedException(
              Reason.CORRUPT, "the file ends inside its pixel data (truncated while received?)");
        }
        pos += r;
      }
    }
    StoredPixels px =
        bitsAllocated == 8
            ? new StoredPixels.Bytes(buf, 0, len)
            : new StoredPixels.LittleEndianWords(buf, 0, len / 2);
    try {
      return new Decoded(header, preprocessor.process(header, px));
    } catch (DicomException | RuntimeException e) {
      throw new RejectedException(
          Reason.CORRUPT, "pixel data cannot be decoded: " + e.getMessage(), e);
    }
  }

  /**
   * Per-thread buffer for pixel data read straight from the file, grown to the largest image seen
   * (bounded by the ingest.limit.* image size): one allocation per processing thread, not one per
   * image.
   */
  private static final ThreadLocal<byte[]> PIXEL_BUFFER =
      ThreadLocal.withInitial(() -> new byte[0]);

  /**
   * Step 2 without what step 1 learned: reads the whole file with PixelMed and preprocesses its
   * pixels (compressed, big-endian, deflated and multi-frame files always take this path).
   */
  public Decoded decode(Path file) throws RejectedException, IOException {
    return decode(file, -1);
  }

  /**
   * {@link #decode(Path)}, reading only the first {@code dataEnd} bytes when that is less than the
   * file ({@link Header#dataEnd()}; -1: the whole file).
   */
  public Decoded decode(Path file, long dataEnd) throws RejectedException, IOException {
    AttributeList full = new AttributeList();
    try {
      if (dataEnd >= 0 && dataEnd < Files.size(file)) {
        try (DicomInputStream in =
            new DicomInputStream(
                new BufferedInputStream(
                    new BoundedInputStream(Files.newInputStream(file), dataEnd)))) {
          full.read(in);
        }
      } else {
        full.read(file.toFile());
      }
    } catch (IOException e) {
      if (notTheInstancesFault(e)) {
        throw e;
      }
      throw new RejectedException(Reason.CORRUPT, "not a readable DICOM file: " + e, e);
    } catch (DicomException | RuntimeException e) {
      throw new RejectedException(Reason.CORRUPT, "not a readable DICOM file: " + e, e);
    } catch (StackOverflowError e) {
      throw new RejectedException(
          Reason.LIMIT_EXCEEDED, "the data set nests too deeply to read", e);
    }
    classifier.checkPixelData(full);
    try {
      // an IOException from here on comes from writing the working image: not the instance's fault
      return new Decoded(full, preprocessor.process(full));
    } catch (DicomException | RuntimeException e) {
      throw new RejectedException(
          Reason.CORRUPT, "pixel data cannot be decoded: " + e.getMessage(), e);
    }
  }

  /** An interrupt (shutdown) or a spool file that vanished: the instance may well be fine. */
  private static boolean notTheInstancesFault(IOException e) {
    return Thread.currentThread().isInterrupted()
        || e instanceof java.io.InterruptedIOException
        || e instanceof java.nio.channels.ClosedByInterruptException
        || e instanceof java.io.FileNotFoundException
        || e instanceof java.nio.file.NoSuchFileException;
  }

  /** A header string, trimmed; empty when absent. */
  public static String str(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
    return Attribute.getSingleStringValueOrEmptyString(l, t).trim();
  }

  /**
   * When the image was acquired: AcquisitionDateTime, else ContentDate + ContentTime (taken as
   * UTC); null when neither is usable. Orders retakes of a view.
   */
  public static Instant acquisitionTime(AttributeList l) {
    String dt = str(l, TagFromName.AcquisitionDateTime);
    try {
      if (dt.length() >= 14) {
        return LocalDateTime.parse(
                dt.substring(0, 14), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
            .toInstant(ZoneOffset.UTC);
      }
      String d = str(l, TagFromName.ContentDate);
      String t = str(l, TagFromName.ContentTime);
      if (d.length() == 8 && t.length() >= 6) {
        return LocalDateTime.parse(
                d + t.substring(0, 6), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
            .toInstant(ZoneOffset.UTC);
      }
    } catch (RuntimeException e) {
      return null;
    }
    return null;
  }

  /** InstanceNumber, or null when absent. */
  public static Integer instanceNumber(AttributeList l) {
    int v =
        Attribute.getSingleIntegerValueOrDefault(l, TagFromName.InstanceNumber, Integer.MIN_VALUE);
    return v == Integer.MIN_VALUE ? null : v;
  }

  /** The first {@code limit} bytes of a stream. */
  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private long left;

    BoundedInputStream(java.io.InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long k = super.skip(Math.min(n, left));
      left -= k;
      return k;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(super.available(), left);
    }
  }
}
