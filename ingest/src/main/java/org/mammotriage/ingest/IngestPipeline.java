package org.mammotriage.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mammotriage.ingest.dicom.Classification;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.ingest.publish.DlqFields;
import org.mammotriage.ingest.publish.PublishException;
import org.mammotriage.ingest.publish.Publisher;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.images.ImageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path for every received instance, from the SCP or the importer: size check, header-only
 * parse, classification, duplicate check, full decode, preprocessing, pseudonymisation, publish (or
 * a DLQ record). Logs carry SOP and study UIDs, never names or patient IDs.
 */
public final class IngestPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

  /**
   * Syncs image-store files while their records go to Kafka: a thread for each C-STORE waiting on
   * one (bounded by the associations), idle threads end after a minute.
   */
  private static final ExecutorService SYNCS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ingest-image-store-sync");
            t.setDaemon(true);
            return t;
          });

  private final InstanceDecoder decoder;
  private final Pseudonymizer pseudonymizer;
  private final Publisher publisher;
  private final IngestMetrics metrics;
  private final Set<String> recentlyPublished;
  private final Semaphore processing;
  private final ImageStore images;

  public IngestPipeline(
      InstanceDecoder decoder,
      Pseudonymizer pseudonymizer,
      Publisher publisher,
      IngestMetrics metrics,
      int duplicateCacheSize) {
    this(decoder, pseudonymizer, publisher, metrics, duplicateCacheSize, 2);
  }

  /**
   * @param processingConcurrency how many instances are decoded and preprocessed at once (the heap
   *     bound: see {@link IngestConfig#PROCESSING_CONCURRENCY})
   */
  public IngestPipeline(
      InstanceDecoder decoder,
      Pseudonymizer pseudonymizer,
      Publisher publisher,
      IngestMetrics metrics,
      int duplicateCacheSize,
      int processingConcurrency) {
    this(
        decoder,
        pseudonymizer,
        publisher,
        metrics,
        duplicateCacheSize,
        processingConcurrency,
        ImageStore.NONE);
  }

  /**
   * @param images where working images go when they do not travel in the record ({@link
   *     ImageStore#NONE}: in the record)
   */
  public IngestPipeline(
      InstanceDecoder decoder,
      Pseudonymizer pseudonymizer,
      Publisher publisher,
      IngestMetrics metrics,
      int duplicateCacheSize,
      int processingConcurrency,
      ImageStore images) {
    this.images = images;
    this.decoder = decoder;
    this.pseudonymizer = pseudonymizer;
    this.publisher = publisher;
    this.metrics = metrics;
    this.processing = new Semaphore(processingConcurrency, true);
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
   * Processes one DICOM Part-10 file. Never throws: whatever the file holds, the outcome says what
   * the sender is told.
   *
   * @param sourceAe the calling AE title, or IMPORT
   * @param stage INGEST_SCP or INGEST_IMPORT (for DLQ records)
   */
  public Outcome process(Path file, String sourceAe, String stage) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      return transientFailure(Reason.IO, "cannot read the received file: " + e.getMessage(), null);
    }
    metrics.received(size);
    AttributeList header = new AttributeList();
    try {
      return decodeAndPublish(file, size, header, sourceAe);
    } catch (RejectedException r) {
      return reject(header, r, sourceAe, stage, size);
    } catch (PublishException p) {
      if (!p.retriable()) {
        return reject(
            header,
            new RejectedException(Reason.PUBLISH_REJECTED, p.getMessage(), p),
            sourceAe,
            stage,
            size);
      }
      LOG.warn(
          "[{}] {} not acknowledged by Kafka, answering failure so the sender retries: {}",
          sourceAe,
          sopOf(header),
          p.getMessage());
      return transientFailure(Reason.KAFKA_UNAVAILABLE, p.getMessage(), header);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return transientFailure(Reason.SHUTTING_DOWN, "interrupted: ingest is stopping", header);
    } catch (IOException e) {
      // not the instance's fault (see InstanceDecoder.decode): the sender sends it again
      LOG.warn(
          "[{}] {} could not be processed, answering failure so the sender retries: {}",
          sourceAe,
          sopOf(header),
          e.toString());
      return transientFailure(Reason.IO, "processing failed: " + e, header);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("[{}] {} could not be processed", sourceAe, sopOf(header), e);
      return reject(
          header,
          new RejectedException(Reason.CORRUPT, "ingest could not process it: " + e, e),
          sourceAe,
          stage,
          size);
    }
  }

  private Outcome decodeAndPublish(Path file, long size, AttributeList header, String sourceAe)
      throws RejectedException, PublishException, IOException, InterruptedException {
    InstanceDecoder.Header h = decoder.inspect(file, size, header);
    Classification c = h.classification();
    String sop = InstanceDecoder.str(header, TagFromName.SOPInstanceUID);
    if (recentlyPublished.contains(sop)) {
      metrics.duplicate();
      LOG.info("[{}] {} already published: acknowledged without publishing again", sourceAe, sop);
      return new Outcome(Outcome.Status.DUPLICATE, null, "already published", sop, studyOf(header));
    }
    InstanceDecoder.Decoded d;
    processing.acquire();
    try {
      long t0 = System.nanoTime();
      d = decoder.decode(file, header, h);
      metrics.preprocessTimer().record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    } finally {
      processing.release();
    }
    String ts = InstanceDecoder.str(header, TagFromName.TransferSyntaxUID);
    MammogramImage img = image(d.attributes(), c, d.workingImage(), ts, sourceAe);
    ImageStore.CheckIn in;
    try {
      in = images.stage(img); // the PNG readable under its name in the store, not yet synced
    } catch (IOException e) {
      return storeFailure(sourceAe, sop, header, e);
    }
    img = in.image();
    // the store syncs the file while Kafka takes the record: the C-STORE waits for the longer of
    // the two, not their sum, and is answered success only when both are done
    Future<?> durable = in.needsSync() ? SYNCS.submit(() -> sync(in)) : null;
    publisher.publish(img);
    if (durable != null) {
      try {
        durable.get();
      } catch (ExecutionException e) {
        // the record is in Kafka; the sender's retry publishes it again, which the stream takes
        // as the duplicate it is, after the store has synced the file
        return storeFailure(
            sourceAe,
            sop,
            header,
            e.getCause() instanceof IOException io ? io : new IOException(e));
      }
    }
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
  }

  private static Void sync(ImageStore.CheckIn in) throws IOException {
    in.sync();
    return null;
  }

  private Outcome storeFailure(String sourceAe, String sop, AttributeList header, IOException e) {
    LOG.warn(
        "[{}] {}: the image store did not take the working image, answering failure so the"
            + " sender retries: {}",
        sourceAe,
        sop,
        e.toString());
    return transientFailure(
        Reason.IMAGE_STORE_UNAVAILABLE,
        "the image store at "
            + images.dir()
            + " did not take the working image ("
            + e
            + "): check that volume (space, mount, permissions); the sender will retry",
        header);
  }

  private Outcome transientFailure(Reason reason, String text, AttributeList header) {
    metrics.transientFailure();
    return new Outcome(
        Outcome.Status.TRANSIENT_FAILURE,
        reason,
        DlqFields.text(text),
        header == null ? null : DlqFields.uid(sopOf(header)),
        header == null ? null : DlqFields.uid(studyOf(header)));
  }

  private static String sopOf(AttributeList h) {
    String sop = DlqFields.uid(InstanceDecoder.str(h, TagFromName.SOPInstanceUID));
    return sop == null ? "(no valid SOP Instance UID)" : sop;
  }

  /**
   * Refuses an instance that was never read (the SCP dropped its bytes, e.g. over {@code
   * ingest.limit.bytes}): a DLQ record with what the C-STORE request said, like any rejection.
   */
  public Outcome refuse(
      RejectedException r,
      String sopClassUid,
      String sopInstanceUid,
      long size,
      String sourceAe,
      String stage) {
    metrics.received(size);
    AttributeList h = new AttributeList();
    try {
      putString(h, TagFromName.SOPClassUID, sopClassUid);
      putString(h, TagFromName.SOPInstanceUID, sopInstanceUid);
    } catch (DicomException e) {
      // a UID the peer sent that PixelMed will not hold: the record goes without it
    }
    return reject(h, r, sourceAe, stage, size);
  }

  private static void putString(AttributeList l, AttributeTag t, String v) throws DicomException {
    if (v != null && !v.isEmpty()) {
      Attribute a = new UniqueIdentifierAttribute(t);
      a.addValue(v);
      l.put(a);
    }
  }

  /**
   * Writes the one DLQ record of a refused instance. Every field goes through {@link DlqFields}: a
   * UID that is not a UID, a modality that is not a code string, is left out rather than copied.
   */
  private Outcome reject(
      AttributeList h, RejectedException r, String sourceAe, String stage, long size) {
    String sop = DlqFields.uid(InstanceDecoder.str(h, TagFromName.SOPInstanceUID));
    String study = DlqFields.uid(studyOf(h));
    String text = DlqFields.text(r.getMessage());
    String named = sop == null ? "(no valid SOP Instance UID)" : sop;
    RejectedInstance rec =
        RejectedInstance.newBuilder()
            .setReasonCode(r.reason().code())
            .setReasonText(text)
            .setStage(stage)
            .setSourceAe(DlqFields.ae(sourceAe))
            .setStudyInstanceUid(study)
            .setSeriesInstanceUid(
                DlqFields.uid(InstanceDecoder.str(h, TagFromName.SeriesInstanceUID)))
            .setSopInstanceUid(sop)
            .setSopClassUid(DlqFields.uid(InstanceDecoder.str(h, TagFromName.SOPClassUID)))
            .setModality(DlqFields.codeString(InstanceDecoder.str(h, TagFromName.Modality)))
            .setTransferSyntaxUid(
                DlqFields.uid(InstanceDecoder.str(h, TagFromName.TransferSyntaxUID)))
            .setSizeBytes(size)
            .setRejectedAt(Instant.now())
            .build();
    try {
      publisher.reject(rec);
    } catch (PublishException p) {
      if (!p.retriable()) {
        metrics.rejected(r.reason());
        LOG.error(
            "[{}] rejected {}: {} ({}); the DLQ refused its record too, so this line is the only"
                + " record: {}",
            sourceAe,
            named,
            r.reason(),
            text,
            DlqFields.text(p.getMessage()));
        return new Outcome(Outcome.Status.REJECTED, r.reason(), text, sop, study);
      }
      metrics.transientFailure();
      LOG.warn(
          "[{}] rejection of {} ({}) could not be recorded in the DLQ; answering a transient failure: {}",
          sourceAe,
          named,
          r.reason(),
          DlqFields.text(p.getMessage()));
      return new Outcome(
          Outcome.Status.TRANSIENT_FAILURE,
          Reason.KAFKA_UNAVAILABLE,
          DlqFields.text(p.getMessage()),
          sop,
          study);
    }
    metrics.rejected(r.reason());
    LOG.info("[{}] rejected {}: {} ({})", sourceAe, named, r.reason(), text);
    return new Outcome(Outcome.Status.REJECTED, r.reason(), text, sop, study);
  }

  private MammogramImage image(
      AttributeList l, Classification c, WorkingImage wi, String ts, String sourceAe) {
    String pid = InstanceDecoder.str(l, TagFromName.PatientID);
    List<String> mods = new ArrayList<>(c.modifiers());
    return MammogramImage.newBuilder()
        .setStudyInstanceUid(studyOf(l))
        .setSeriesInstanceUid(InstanceDecoder.str(l, TagFromName.SeriesInstanceUID))
        .setSopInstanceUid(InstanceDecoder.str(l, TagFromName.SOPInstanceUID))
        .setSopClassUid(InstanceDecoder.str(l, TagFromName.SOPClassUID))
        .setAccessionNumber(emptyToNull(InstanceDecoder.str(l, TagFromName.AccessionNumber)))
        .setPatientKey(pseudonymizer.key(pid.isEmpty() ? "(no patient id)" : pid))
        .setPatientAgeYears(age(InstanceDecoder.str(l, TagFromName.PatientAge)))
        .setManufacturer(emptyToNull(InstanceDecoder.str(l, TagFromName.Manufacturer)))
        .setManufacturerModel(
            emptyToNull(InstanceDecoder.str(l, TagFromName.ManufacturerModelName)))
        .setLaterality(Laterality.valueOf(c.laterality()))
        .setView(c.view())
        .setViewModifiers(mods)
        .setPresentationIntent("FOR PRESENTATION")
        .setAcquisitionTime(InstanceDecoder.acquisitionTime(l))
        .setInstanceNumber(InstanceDecoder.instanceNumber(l))
        .setOriginalRows(Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Rows, 0))
        .setOriginalColumns(Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Columns, 0))
        .setPixelSpacingMm(spacing(l))
        .setPhotometricInterpretation(
            emptyToNull(InstanceDecoder.str(l, TagFromName.PhotometricInterpretation)))
        .setTransferSyntaxUid(emptyToNull(ts))
        .setPreprocessingVersion(wi.version())
        .setWorkingRows(wi.rows())
        .setWorkingColumns(wi.cols())
        .setWorkingImagePng(ByteBuffer.wrap(wi.png()))
        .setReceivedAt(Instant.now())
        .setSourceAe(sourceAe)
        .build();
  }

  private static String studyOf(AttributeList l) {
    return InstanceDecoder.str(l, TagFromName.StudyInstanceUID);
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

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
