package org.mammotriage.ingest.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mammotriage.ingest.publish.PublishException;
import org.mammotriage.ingest.publish.Publisher;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;

/** Keeps what the pipeline published, for tests that need no broker. */
public class RecordingPublisher implements Publisher {
  public final List<MammogramImage> images = new CopyOnWriteArrayList<>();
  public final List<RejectedInstance> rejections = new CopyOnWriteArrayList<>();

  @Override
  public void publish(MammogramImage image) throws PublishException {
    images.add(image);
  }

  @Override
  public void reject(RejectedInstance rejection) throws PublishException {
    rejections.add(rejection);
  }

  @Override
  public void close() {}
}
