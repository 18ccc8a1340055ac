package org.mammotriage.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.mammotriage.ingest.preprocess.Preprocessor;
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
        cfg.getLong(IngestConfig.MAX_BYTES));
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Step 1: checks the file size, reads the header (everything before the pixel data) into {@code
   * header} and classifies it. The header is filled as far as it could be read even when this
   * throws, so a rejection can still name the instance.
   */
  public Classification readHeader(Path file, long size, AttributeList header)
      throws RejectedException {
    if (size > limits.maxBytes()) {
      throw new RejectedException(
          Reason.TOO_LARGE, size + " bytes exceeds ingest.limit.bytes=" + limits.maxBytes());
    }
    try (DicomInputStream in =
        new DicomInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      header.read(in, TagFromName.PixelData);
    } catch (IOException | DicomException | RuntimeException e) {
      throw new RejectedException(
          Reason.CORRUPT, "not a readable DICOM file: " + e.getMessage(), e);
    }
    classifier.checkPixelFormat(header);
    return classifier.classify(header, str(header, TagFromName.TransferSyntaxUID));
  }

  /** A fully read instance and its working image. */
  public record Decoded(AttributeList attributes, WorkingImage workingImage) {}

  /** Step 2: reads the whole file and preprocesses its pixels (call after {@link #readHeader}). */
  public Decoded decode(Path file) throws RejectedException {
    AttributeList full = new AttributeList();
    try {
      full.read(file.toFile());
      checkPixelLength(full);
      return new Decoded(full, preprocessor.process(full));
    } catch (IOException | DicomException | RuntimeException e) {
      throw new RejectedException(
          Reason.CORRUPT, "pixel data cannot be decoded: " + e.getMessage(), e);
    }
  }

  private static void checkPixelLength(AttributeList l) throws DicomException {
    int rows = Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Rows, 0);
    int cols = Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Columns, 0);
    int bytes = Attribute.getSingleIntegerValueOrDefault(l, TagFromName.BitsAllocated, 16) / 8;
    Attribute px = l.get(TagFromName.PixelData);
    if (px == null || px.getVL() < (long) rows * cols * bytes) {
      throw new DicomException(
          "pixel data is "
              + (px == null ? "missing" : px.getVL() + " bytes")
              + ", expected "
              + (long) rows * cols * bytes
              + " (file truncated?)");
    }
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
}
