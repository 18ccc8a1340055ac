package org.mammotriage.scoring;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mammotriage.contract.ModelManifest;

/**
 * An opened, validated model directory: its manifest and its sessions (contract 1: exam scorer and
 * image encoder; contract 2: image encoder and exam head). Reference-counted so that a hot model
 * change lets exams in flight finish on the old sessions before they are closed.
 */
public final class LoadedModel implements AutoCloseable {
  private final Path dir;
  private final ModelManifest manifest;
  private final OrtSession examScorer;
  private final OrtSession imageEncoder;
  private final OrtSession examHead;
  private final String device;
  private final ModelInfo info;
  private final OodScorer ood;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean retired = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  LoadedModel(
      Path dir,
      ModelManifest manifest,
      OrtSession examScorer,
      OrtSession imageEncoder,
      OrtSession examHead,
      String device,
      String sha) {
    this.dir = dir;
    this.manifest = manifest;
    this.examScorer = examScorer;
    this.imageEncoder = imageEncoder;
    this.examHead = examHead;
    this.device = device;
    this.info =
        new ModelInfo(
            manifest.name(),
            manifest.version(),
            sha,
            manifest.intendedUse(),
            manifest.thresholds(),
            manifest.contractVersion(),
            manifest.domain());
    this.ood = OodScorer.of(manifest.domain() == null ? null : manifest.domain().ood());
  }

  /** The manifest's OOD reference prepared for scoring views; null when it has none. */
  OodScorer ood() {
    return ood;
  }

  public Path dir() {
    return dir;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  /** Contract 1's whole-exam graph; null for a contract-2 model. */
  public OrtSession examScorer() {
    return examScorer;
  }

  public OrtSession imageEncoder() {
    return imageEncoder;
  }

  /** Contract 2's exam head; null for a contract-1 model. */
  public OrtSession examHead() {
    return examHead;
  }

  /** True for contract 2: views are encoded one by one and the head scores the encodings. */
  public boolean encodesViews() {
    return manifest.encodesViews();
  }

  /** The execution provider the sessions run on: cuda or cpu. */
  public String device() {
    return device;
  }

  public ModelInfo info() {
    return info;
  }

  /**
   * Marks one use; false when the model was closed meanwhile (the caller retries with the current
   * model).
   */
  boolean acquire() {
    inFlight.incrementAndGet();
    if (closed.get()) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  void release() {
    if (inFlight.decrementAndGet() == 0 && retired.get()) {
      closeNow();
    }
  }

  /** No new work will come; close when the work in flight is done. */
  void retire() {
    retired.set(true);
    if (inFlight.get() == 0) {
      closeNow();
    }
  }

  private void closeNow() {
    if (closed.compareAndSet(false, true)) {
      try {
        for (OrtSession s : new OrtSession[] {examScorer, imageEncoder, examHead}) {
          if (s != null) {
            s.close();
          }
        }
      } catch (OrtException e) {
        throw new IllegalStateException("closing sessions of " + info.id() + " failed", e);
      }
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    retire();
  }
}
