package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mammotriage.streams.FailureClassifier.Kind.POISON_RECORD;
import static org.mammotriage.streams.FailureClassifier.Kind.TRANSIENT;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import javax.imageio.IIOException;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.schemas.images.ImageStore;
import org.mammotriage.schemas.registry.SchemaRegistryException;

class FailureClassifierTest {

  @Test
  void shouldCallAFailingScorerTransient() {
    assertThat(FailureClassifier.classify(new OrtException("CUDA failure 2: out of memory")))
        .isEqualTo(TRANSIENT);
    // OnnxExamScorer wraps what its batcher threw
    assertThat(
            FailureClassifier.classify(
                new IllegalStateException("scoring s1 failed", new OrtException("run failed"))))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new IllegalStateException("closed OrtSession")))
        .isEqualTo(TRANSIENT);
    assertThat(
            FailureClassifier.classify(
                new IllegalStateException(
                    "interrupted while scoring s1", new InterruptedException())))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new ModelLoadException("model.onnx is missing")))
        .isEqualTo(TRANSIENT);
  }

  @Test
  void shouldCallRegistryNetworkAndKafkaFailuresTransient() {
    assertThat(
            FailureClassifier.classify(
                new SchemaRegistryException("unreachable", -1, -1, new ConnectException())))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(registry(503))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new SocketTimeoutException("read timed out")))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new HttpTimeoutException("request timed out")))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new TimeoutException("metadata"))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new NotEnoughReplicasException("isr")))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new java.util.concurrent.TimeoutException()))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new ProcessorStateException("rocksdb put failed")))
        .isEqualTo(TRANSIENT);
  }

  @Test
  void shouldLetTheRegistryFailureDecideWhateverItsCause() {
    // what a deserializer throws when the registry closes the connection while it stops: the root
    // is a plain IOException, which alone would read as an image that does not decode
    assertThat(
            FailureClassifier.classify(
                new SerializationException(
                    "cannot decode",
                    new SchemaRegistryException(
                        "unreachable",
                        -1,
                        -1,
                        new IOException("HTTP/1.1 header parser received no bytes")))))
        .isEqualTo(TRANSIENT);
    // a governed registry that does not hold the schema yet: an operator registers it
    assertThat(
            FailureClassifier.classify(
                new SerializationException(
                    "cannot encode",
                    new SchemaRegistryException("absent", 404, 40401, true, null))))
        .isEqualTo(TRANSIENT);
    // a record naming a schema id the registry never had
    assertThat(
            FailureClassifier.classify(
                new SerializationException(
                    "cannot decode", new SchemaRegistryException("unknown id", 404, 40403, null))))
        .isEqualTo(POISON_RECORD);
  }

  @Test
  void shouldCallAnImageStoreThatCannotBeReadNowTransientWhateverItsCause() {
    // its cause is a plain IOException, which alone reads as an image that does not decode
    var unavailable =
        new ImageStore.UnavailableException(new java.io.IOException("Stale file handle"));
    assertThat(FailureClassifier.classify(unavailable)).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new RuntimeException("wrapped", unavailable)))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new java.io.IOException("Stale file handle")))
        .isEqualTo(POISON_RECORD);
  }

  @Test
  void shouldCallBadInputPoison() {
    assertThat(
            FailureClassifier.classify(
                new IllegalArgumentException("exam s1 has two images for slot L_CC")))
        .isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.classify(new NumberFormatException("x"))).isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.classify(new AvroTypeException("expected string")))
        .isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.classify(new SerializationException("not Confluent framing")))
        .isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.classify(new ClassCastException("not a MammogramImage")))
        .isEqualTo(POISON_RECORD);
    // a working image that does not decode
    assertThat(
            FailureClassifier.classify(
                new UncheckedIOException(new IOException("not a PNG image (bad signature)"))))
        .isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.classify(new IIOException("bad IDAT"))).isEqualTo(POISON_RECORD);
    // a schema id the registry does not know
    assertThat(FailureClassifier.classify(registry(404))).isEqualTo(POISON_RECORD);
  }

  @Test
  void shouldLetTheInnermostKnownCauseDecide() {
    assertThat(
            FailureClassifier.classify(new SerializationException("cannot decode", registry(503))))
        .as("a deserializer failing because the registry is down")
        .isEqualTo(TRANSIENT);
    assertThat(
            FailureClassifier.classify(
                new IllegalStateException(
                    "scoring s1 failed", new IllegalArgumentException("two images for L_CC"))))
        .as("a wrapping IllegalStateException does not hide bad input")
        .isEqualTo(POISON_RECORD);
    assertThat(
            FailureClassifier.classify(
                new SerializationException("cannot decode", new AvroTypeException("bad"))))
        .isEqualTo(POISON_RECORD);
  }

  @Test
  void shouldDeadLetterAFailureOfNoKnownKindAndSurviveACycle() {
    assertThat(FailureClassifier.classify(new NullPointerException())).isEqualTo(POISON_RECORD);
    assertThat(
            FailureClassifier.classify(
                new IllegalStateException("scoring s1 failed", new NullPointerException())))
        .isEqualTo(POISON_RECORD);
    RuntimeException a = new RuntimeException("a");
    a.initCause(new RuntimeException("b", a));
    assertThat(FailureClassifier.classify(a)).isEqualTo(POISON_RECORD);
    assertThat(FailureClassifier.isRetriable(new OrtException("x"))).isTrue();
    assertThat(FailureClassifier.isRetriable(new IllegalArgumentException())).isFalse();
  }

  private static SchemaRegistryException registry(int status) {
    return new SchemaRegistryException("HTTP " + status, status, status * 100, null);
  }
}
