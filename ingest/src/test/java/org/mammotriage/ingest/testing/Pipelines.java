package org.mammotriage.ingest.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.mammotriage.ingest.IngestMetrics;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.InstanceDecoder;
import org.mammotriage.ingest.Pseudonymizer;
import org.mammotriage.ingest.dicom.InstanceClassifier;
import org.mammotriage.ingest.dicom.Limits;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.publish.Publisher;
import org.mammotriage.schemas.images.ImageStore;

/** The real ingest pipeline over a publisher the test holds, with a small working size. */
public final class Pipelines {
  public static final String SECRET = "unit-test-secret-0123456789";

  private Pipelines() {}

  public static IngestPipeline of(Publisher publisher) {
    return of(publisher, Limits.defaults(), false);
  }

  public static IngestPipeline of(Publisher publisher, Limits limits, boolean secondaryCapture) {
    return of(publisher, limits, secondaryCapture, 10_000);
  }

  /** A pipeline that remembers no published SOP instance (every case is decoded in full). */
  public static IngestPipeline withoutDuplicateCheck(Publisher publisher) {
    return of(publisher, Limits.defaults(), false, 0);
  }

  /** A pipeline that keeps working images in {@code images} and publishes references. */
  public static IngestPipeline withImageStore(Publisher publisher, ImageStore images) {
    return of(publisher, Limits.defaults(), false, 10_000, images);
  }

  private static IngestPipeline of(
      Publisher publisher, Limits limits, boolean secondaryCapture, int duplicates) {
    return of(publisher, limits, secondaryCapture, duplicates, ImageStore.NONE);
  }

  private static IngestPipeline of(
      Publisher publisher,
      Limits limits,
      boolean secondaryCapture,
      int duplicates,
      ImageStore images) {
    return new IngestPipeline(
        new InstanceDecoder(
            new InstanceClassifier(secondaryCapture, limits), limits, new Preprocessor(152, 92)),
        Pseudonymizer.withSecret(SECRET),
        publisher,
        new IngestMetrics(new SimpleMeterRegistry()),
        duplicates,
        2,
        images);
  }
}
