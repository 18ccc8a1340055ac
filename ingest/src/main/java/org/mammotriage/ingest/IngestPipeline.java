package org.mammotriage.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mammotriage.ingest.dicom.Classification;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.dicom.Reasons;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.ingest.publish.KafkaPublisher;
import org.mammotriage.ingest.publish.PublishException;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path for every received instance, from the SCP or the importer: size check, header-only
 * parse, classification, duplicate check, full decode, preprocessing, pseudonymisation, publish (or
 * a DLQ record). Logs carry SOP and study UIDs, never names or patient IDs.
 */
public final class IngestPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);
  private final InstanceClassifier classifier;
  private final Limits limits;
  private final Preprocessor preprocessor;
  private final Pseudonymizer pseudonymizer;
  private final KafkaPublisher publisher;
  private final IngestMetrics metrics;
  private final Set<String> recentlyPublished;

  public IngestPipeline(
      InstanceClassifier classifier,
      Limits limits,
      Preprocessor preprocessor,
      Pseudonymizer pseudonymizer,
      KafkaPublisher publisher,
      IngestMetrics metrics,
      int duplicateCacheSize) {
    this.classifier = classifier;
    this.limits = limits;
    this.preprocessor = preprocessor;
    this.pseudonymizer = pseudonymizer;
    this.publisher = publisher;
    this.metrics = metrics;
    this.recentlyPublished =
        Collections.synchronizedSet(
            Collections.newSetFromMap(
                new LinkedHashMap<>(16, 0.75f, false) {
                  @Override
                  protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
                    return size() > duplicateCacheSize;
                  }
                }));
  }

  /**
   * Processes one DICOM Part-10 file.
   *
   * @param sourceAe the calling AE title, or IMPORT
   * @param stage INGEST_SCP or INGEST_IMPORT (for DLQ records)
   */
  public Outcome process(Path file, String sourceAe, String stage) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      return new Outcome(
          Outcome.Status.TRANSIENT_FAILURE,
          "IO",
          "cannot read the received file: " + e.getMessage(),
          null,
          null);
    }
    metrics.received(size);
    AttributeList header = new AttributeList();
    try {
      if (size > limits.maxBytes()) {
        throw new RejectedException(
            Reasons.TOO_LARGE, size + " bytes exceeds ingest.limit.bytes=" + limits.maxBytes());
      }
      try (DicomInputStream in =
          new DicomInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
        header.read(in, TagFromName.PixelData);
      } catch (IOException | DicomException | RuntimeException e) {
        throw new RejectedException(
            Reasons.CORRUPT, "not a readable DICOM file: " + e.getMessage(), e);
      }
      String ts = InstanceClassifierAccess.str(header, TagFromName.TransferSyntaxUID);
      classifier.checkPixelFormat(header);
      Classification c = classifier.classify(header, ts);
      String sop = InstanceClassifierAccess.str(header, TagFromName.SOPInstanceUID);
      if (recentlyPublished.contains(sop)) {
        metrics.duplicate();
        LOG.info("[{}] {} already published: acknowledged without publishing again", sourceAe, sop);
        return new Outcome(
            Outcome.Status.DUPLICATE, "DUPLICATE", "already published", sop, studyOf(header));
      }
      AttributeList full = new AttributeList();
      WorkingImage wi;
      long t0 = System.nanoTime();
      try {
        full.read(file.toFile());
        checkPixelLength(full);
        wi = preprocessor.process(full);
      } catch (IOException | DicomException | RuntimeException e) {
        throw new RejectedException(
            Reasons.CORRUPT, "pixel data cannot be decoded: " + e.getMessage(), e);
      }
      metrics
          .preprocessTimer()
          .record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
      MammogramImage img = image(full, c, wi, ts, sourceAe);
      publisher.publish(img);
      recentlyPublished.add(sop);
      metrics.accepted();
      LOG.info(
          "[{}] stored {} of study {} ({} {}{}) in Kafka",
          sourceAe,
          sop,
          img.getStudyInstanceUid(),
          c.laterality(),
          c.view(),
          c.modifiers().isEmpty() ? "" : " " + c.modifiers());
      return new Outcome(Outcome.Status.STORED, null, null, sop, img.getStudyInstanceUid());
    } catch (RejectedException r) {
      return reject(header, r, sourceAe, stage, size);
    } catch (PublishException p) {
      metrics.transientFailure();
      LOG.warn(
          "[{}] {} not acknowledged by Kafka, answering failure so the sender retries: {}",
          sourceAe,
          InstanceClassifierAccess.str(header, TagFromName.SOPInstanceUID),
          p.getMessage());
      return new Outcome(
          Outcome.Status.TRANSIENT_FAILURE,
          "KAFKA_UNAVAILABLE",
          p.getMessage(),
          InstanceClassifierAccess.str(header, TagFromName.SOPInstanceUID),
          studyOf(header));
    }
  }

  private Outcome reject(
      AttributeList h, RejectedException r, String sourceAe, String stage, long size) {
    String sop = InstanceClassifierAccess.str(h, TagFromName.SOPInstanceUID);
    RejectedInstance rec =
        RejectedInstance.newBuilder()
            .setReasonCode(r.reason())
            .setReasonText(r.getMessage())
            .setStage(stage)
            .setSourceAe(sourceAe)
            .setStudyInstanceUid(emptyToNull(studyOf(h)))
            .setSeriesInstanceUid(
                emptyToNull(InstanceClassifierAccess.str(h, TagFromName.SeriesInstanceUID)))
            .setSopInstanceUid(emptyToNull(sop))
            .setSopClassUid(emptyToNull(InstanceClassifierAccess.str(h, TagFromName.SOPClassUID)))
            .setModality(emptyToNull(InstanceClassifierAccess.str(h, TagFromName.Modality)))
            .setTransferSyntaxUid(
                emptyToNull(InstanceClassifierAccess.str(h, TagFromName.TransferSyntaxUID)))
            .setSizeBytes(size)
            .setRejectedAt(Instant.now())
            .build();
    try {
      publisher.reject(rec);
    } catch (PublishException p) {
      metrics.transientFailure();
      LOG.warn(
          "[{}] rejection of {} ({}) could not be recorded in the DLQ; answering a transient failure: {}",
          sourceAe,
          sop,
          r.reason(),
          p.getMessage());
      return new Outcome(
          Outcome.Status.TRANSIENT_FAILURE, "KAFKA_UNAVAILABLE", p.getMessage(), sop, studyOf(h));
    }
    metrics.rejected(r.reason());
    LOG.info(
        "[{}] rejected {}: {} ({})",
        sourceAe,
        sop.isEmpty() ? "(no SOP UID)" : sop,
        r.reason(),
        r.getMessage());
    return new Outcome(Outcome.Status.REJECTED, r.reason(), r.getMessage(), sop, studyOf(h));
  }

  private MammogramImage image(
      AttributeList l, Classification c, WorkingImage wi, String ts, String sourceAe) {
    String pid = InstanceClassifierAccess.str(l, TagFromName.PatientID);
    List<String> mods = new ArrayList<>(c.modifiers());
    return MammogramImage.newBuilder()
        .setStudyInstanceUid(studyOf(l))
        .setSeriesInstanceUid(InstanceClassifierAccess.str(l, TagFromName.SeriesInstanceUID))
        .setSopInstanceUid(InstanceClassifierAccess.str(l, TagFromName.SOPInstanceUID))
        .setSopClassUid(InstanceClassifierAccess.str(l, TagFromName.SOPClassUID))
        .setAccessionNumber(
            emptyToNull(InstanceClassifierAccess.str(l, TagFromName.AccessionNumber)))
        .setPatientKey(pseudonymizer.key(pid.isEmpty() ? "(no patient id)" : pid))
        .setPatientAgeYears(age(InstanceClassifierAccess.str(l, TagFromName.PatientAge)))
        .setManufacturer(emptyToNull(InstanceClassifierAccess.str(l, TagFromName.Manufacturer)))
        .setManufacturerModel(
            emptyToNull(InstanceClassifierAccess.str(l, TagFromName.ManufacturerModelName)))
        .setLaterality(Laterality.valueOf(c.laterality()))
        .setView(c.view())
        .setViewModifiers(mods)
        .setPresentationIntent("FOR PRESENTATION")
        .setAcquisitionTime(acquired(l))
        .setInstanceNumber(intOrNull(l, TagFromName.InstanceNumber))
        .setOriginalRows(Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Rows, 0))
        .setOriginalColumns(Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Columns, 0))
        .setPixelSpacingMm(spacing(l))
        .setPhotometricInterpretation(
            emptyToNull(InstanceClassifierAccess.str(l, TagFromName.PhotometricInterpretation)))
        .setTransferSyntaxUid(emptyToNull(ts))
        .setPreprocessingVersion(wi.version())
        .setWorkingRows(wi.rows())
        .setWorkingColumns(wi.cols())
        .setWorkingImagePng(ByteBuffer.wrap(wi.png()))
        .setReceivedAt(Instant.now())
        .setSourceAe(sourceAe)
        .build();
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

  private static String studyOf(AttributeList l) {
    return InstanceClassifierAccess.str(l, TagFromName.StudyInstanceUID);
  }

  private static Integer age(String s) {
    if (s.length() == 4 && s.endsWith("Y")) {
      try {
        return Integer.parseInt(s.substring(0, 3));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Instant acquired(AttributeList l) {
    String dt = InstanceClassifierAccess.str(l, TagFromName.AcquisitionDateTime);
    try {
      if (dt.length() >= 14) {
        return LocalDateTime.parse(
                dt.substring(0, 14), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
            .toInstant(ZoneOffset.UTC);
      }
      String d = InstanceClassifierAccess.str(l, TagFromName.ContentDate);
      String t = InstanceClassifierAccess.str(l, TagFromName.ContentTime);
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

  private static List<Double> spacing(AttributeList l) {
    for (var tag : List.of(TagFromName.PixelSpacing, TagFromName.ImagerPixelSpacing)) {
      Attribute a = l.get(tag);
      try {
        if (a != null && a.getVM() == 2) {
          double[] d = a.getDoubleValues();
          return List.of(d[0], d[1]);
        }
      } catch (DicomException e) {
        return null;
      }
    }
    return null;
  }

  private static Integer intOrNull(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
    int v = Attribute.getSingleIntegerValueOrDefault(l, t, Integer.MIN_VALUE);
    return v == Integer.MIN_VALUE ? null : v;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Access to the classifier's string helper without widening its API. */
  static final class InstanceClassifierAccess {
    static String str(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
      return Attribute.getSingleStringValueOrEmptyString(l, t).trim();
    }
  }
}
