package org.mammotriage.streams;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.mammotriage.schemas.avro.MammogramImage;

/**
 * Where the stream finds an image's working pixels again after it dropped them: {@code
 * mammo.images.v1} at the partition and offset the image was read from. Used only when a slot's
 * encoding cannot be used by the active model (a hot model change), so that an exam is always
 * scored by one model.
 */
public interface ImageArchive extends AutoCloseable {

  /**
   * The image at that partition and offset of {@code mammo.images.v1}; empty when it is gone (topic
   * retention) or could not be read in time.
   */
  Optional<MammogramImage> fetch(int partition, long offset);

  @Override
  void close();

  /** Opens an archive for one processor from the application's Kafka configuration. */
  @FunctionalInterface
  interface Factory {
    ImageArchive open(Map<String, Object> appConfigs, Deserializer<MammogramImage> images);
  }

  /** An archive that has nothing: every fetch is empty. */
  ImageArchive NONE =
      new ImageArchive() {
        @Override
        public Optional<MammogramImage> fetch(int partition, long offset) {
          return Optional.empty();
        }

        @Override
        public void close() {}
      };
}
