package org.mammotriage.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.registry.SchemaRegistryException;

class PublishFailureClassifierTest {

  @Test
  void shouldRetryWhenKafkaIsSlowOrShortOfReplicas() {
    assertThat(PublishFailureClassifier.isRetriable(new TimeoutException("expired"))).isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new NotEnoughReplicasException("isr 1")))
        .isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new NetworkException("reset"))).isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new NotLeaderOrFollowerException("moved")))
        .isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new UnknownTopicOrPartitionException("t")))
        .isTrue();
    assertThat(
            PublishFailureClassifier.isRetriable(new java.util.concurrent.TimeoutException("ack")))
        .isTrue();
  }

  @Test
  void shouldRetryWhenTheRegistryIsUnreachableOrFailing() {
    assertThat(PublishFailureClassifier.isRetriable(registry(503))).isTrue();
    assertThat(PublishFailureClassifier.isRetriable(registry(429))).isTrue();
    assertThat(
            PublishFailureClassifier.isRetriable(
                new SchemaRegistryException("unreachable", -1, -1, new ConnectException("no"))))
        .isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new UncheckedIOException(new IOException())))
        .isTrue();
  }

  @Test
  void shouldLetTheRegistryFailureDecideWhateverItsCause() {
    // a governed registry without the schema: the sender retries once an operator registered it
    assertThat(
            PublishFailureClassifier.isRetriable(
                new SerializationException(
                    "cannot encode",
                    new SchemaRegistryException("absent", 404, 40401, true, null))))
        .isTrue();
    // an invalid schema stays permanent even when the registry's answer came with a cause
    assertThat(
            PublishFailureClassifier.isRetriable(
                new SchemaRegistryException(
                    "invalid", 422, 42201, new java.io.IOException("body"))))
        .isFalse();
  }

  @Test
  void shouldRetryWhenCredentialsOrAclsAreMissingOrTheThreadIsInterrupted() {
    assertThat(PublishFailureClassifier.isRetriable(new TopicAuthorizationException("no acl")))
        .isTrue();
    assertThat(PublishFailureClassifier.isRetriable(new SaslAuthenticationException("bad")))
        .isTrue();
    assertThat(PublishFailureClassifier.isRetriable(registry(401))).isTrue();
    assertThat(
            PublishFailureClassifier.isRetriable(
                new InterruptException(new InterruptedException())))
        .isTrue();
    Thread.interrupted(); // InterruptException sets the flag; clear it for the next test
  }

  @Test
  void shouldNotRetryARecordTheBrokerOrSerializerRefuses() {
    assertThat(PublishFailureClassifier.isRetriable(new RecordTooLargeException("9 MB"))).isFalse();
    assertThat(PublishFailureClassifier.isRetriable(new RecordBatchTooLargeException("batch")))
        .isFalse();
    assertThat(PublishFailureClassifier.isRetriable(new InvalidRecordException("null key")))
        .isFalse();
    assertThat(PublishFailureClassifier.isRetriable(new SerializationException("cannot encode")))
        .isFalse();
    assertThat(PublishFailureClassifier.isRetriable(new AvroTypeException("not a string")))
        .isFalse();
  }

  @Test
  void shouldNotRetryASchemaTheRegistryRejects() {
    assertThat(PublishFailureClassifier.isRetriable(registry(409))).isFalse();
    assertThat(PublishFailureClassifier.isRetriable(registry(422))).isFalse();
  }

  @Test
  void shouldLetTheInnermostKnownCauseDecide() {
    // a serializer failure caused by a registry outage is an outage
    assertThat(
            PublishFailureClassifier.isRetriable(
                new SerializationException("cannot encode", registry(503))))
        .isTrue();
    // the future's ExecutionException and Kafka's wrappers do not hide a too-large record
    assertThat(
            PublishFailureClassifier.isRetriable(
                new ExecutionException(new KafkaException(new RecordTooLargeException("big")))))
        .isFalse();
    assertThat(
            PublishFailureClassifier.isRetriable(
                new KafkaException("send failed", new NotEnoughReplicasException("isr"))))
        .isTrue();
  }

  @Test
  void shouldRetryAFailureOfNoKnownKindAndSurviveACycle() {
    assertThat(PublishFailureClassifier.isRetriable(new IllegalStateException("closed"))).isTrue();
    assertThat(PublishFailureClassifier.isRetriable(null)).isTrue();
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(PublishFailureClassifier.isRetriable(a)).isTrue();
  }

  @Test
  void shouldCarryTheClassificationOnThePublishException() {
    assertThat(new PublishException("x", new RecordTooLargeException("big")).retriable()).isFalse();
    assertThat(new PublishException("x", new TimeoutException("slow")).retriable()).isTrue();
  }

  private static SchemaRegistryException registry(int status) {
    return new SchemaRegistryException("HTTP " + status, status, status * 100, null);
  }
}
