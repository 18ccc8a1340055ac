package org.mammotriage.ingest.publish;

import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;

/**
 * Where the ingest pipeline puts what it decided: an image, or a rejection for the dead-letter
 * topic. A method that returns normally means the record is stored; otherwise a {@link
 * PublishException} says whether a retry can help. {@link KafkaPublisher} is the implementation.
 */
public interface Publisher extends AutoCloseable {
  void publish(MammogramImage image) throws PublishException;

  void reject(RejectedInstance rejection) throws PublishException;

  @Override
  void close();
}
