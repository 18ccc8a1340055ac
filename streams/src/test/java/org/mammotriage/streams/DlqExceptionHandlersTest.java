package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.registry.SchemaRegistryException;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * The DLQ handlers in a real topology (TopologyTestDriver, Streams' own ErrorHandlerContext): a
 * poison record resumes with one DLQ record, a transient failure fails without one.
 */
class DlqExceptionHandlersTest {
  static final String IN = "in";
  static final String OUT = "out";
  TopologyTestDriver driver;

  /** Forwards its input; some values stand for failures seen in the exam assembler. */
  static final class Failing implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, String> r) {
      switch (r.value()) {
        case "two-images-for-a-slot" ->
            throw new IllegalArgumentException("exam s1 has two images for slot L_CC");
        case "scorer-failed" ->
            throw new IllegalStateException(
                "scoring s1 failed", new OrtException("CUDA failure 2: out of memory"));
        case "session-closed" -> throw new IllegalStateException("closed OrtSession");
        default -> context.forward(r);
      }
    }
  }

  /** Reads strings; "registry-down" and "garbage" stand for the two ways a read fails. */
  static final class Reading implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      String s = new String(data, StandardCharsets.UTF_8);
      if (s.equals("registry-down")) {
        throw new org.apache.kafka.common.errors.SerializationException(
            "cannot decode",
            new SchemaRegistryException(
                "schema registry is unreachable", -1, -1, new ConnectException("refused")));
      }
      if (s.equals("garbage")) {
        throw new org.apache.kafka.common.errors.SerializationException(
            "record on in is not in Confluent framing (magic byte 103)");
      }
      return s;
    }
  }

  TestInputTopic<String, String> start() {
    Topology t = new Topology();
    t.addSource("source", new StringDeserializer(), new Reading(), IN);
    t.addProcessor("failing", Failing::new, "source");
    t.addSink("sink", OUT, new StringSerializer(), new StringSerializer(), "failing");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dlq-handler-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Deserialization.class);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DlqExceptionHandlers.Processing.class);
    driver = new TopologyTestDriver(t, p);
    return driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  List<RejectedInstance> dlq() {
    return driver
        .createOutputTopic(
            Topics.INGEST_DLQ.name(),
            Serdes.String().deserializer(),
            Topics.INGEST_DLQ.valueSerde(SerdeFactory.singleObject()).deserializer())
        .readValuesToList();
  }

  List<String> out() {
    return driver
        .createOutputTopic(OUT, new StringDeserializer(), new StringDeserializer())
        .readValuesToList();
  }

  @Test
  void shouldDeadLetterAPoisonRecordAndGoOn() {
    // given
    TestInputTopic<String, String> in = start();

    // when
    in.pipeInput("s1", "two-images-for-a-slot");
    in.pipeInput("s2", "fine");

    // then
    assertThat(dlq())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getReasonCode()).isEqualTo("PROCESSING_FAILED");
              assertThat(r.getStage()).isEqualTo("STREAMS_PROCESS");
              assertThat(r.getReasonText()).contains("two images for slot L_CC");
              assertThat(r.getSourceTopic()).isEqualTo(IN);
              assertThat(r.getSourcePartition()).isZero();
              assertThat(r.getSourceOffset()).isZero();
            });
    assertThat(out()).containsExactly("fine");
  }

  @Test
  void shouldFailWithoutADlqRecordWhenTheScorerFails() {
    TestInputTopic<String, String> in = start();

    assertThatThrownBy(() -> in.pipeInput("s1", "scorer-failed"))
        .isInstanceOf(StreamsException.class)
        .hasRootCauseInstanceOf(OrtException.class);

    assertThat(dlq()).isEmpty();
    assertThat(out()).isEmpty();
  }

  @Test
  void shouldFailWithoutADlqRecordWhenTheSessionIsClosed() {
    TestInputTopic<String, String> in = start();

    assertThatThrownBy(() -> in.pipeInput("s1", "session-closed"))
        .isInstanceOf(StreamsException.class)
        .hasRootCauseMessage("closed OrtSession");

    assertThat(dlq()).isEmpty();
  }

  @Test
  void shouldDeadLetterAnUnreadableRecordButNotOneTheRegistryCouldNotServe() {
    TestInputTopic<String, String> in = start();

    in.pipeInput("s1", "garbage");
    assertThat(dlq())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getReasonCode()).isEqualTo("UNREADABLE_RECORD");
              assertThat(r.getStage()).isEqualTo("STREAMS_DESERIALIZE");
            });

    assertThatThrownBy(() -> in.pipeInput("s2", "registry-down"))
        .isInstanceOf(StreamsException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
    assertThat(dlq()).isEmpty();
  }

  @Test
  void shouldAnswerResumeWithOneDlqRecordOrFailWithNone() {
    // given: the handler as Streams configures it, and the context of a record at in-0@42
    ProcessingExceptionHandler h = new DlqExceptionHandlers.Processing();
    h.configure(Map.of());
    ErrorHandlerContext ctx = new Context(IN, 0, 42L, "s1".getBytes(StandardCharsets.UTF_8));
    Record<String, String> rec = new Record<>("s1", "v", 0L);

    // when
    var poison = h.handleError(ctx, rec, new IllegalArgumentException("bad slot"));
    var transientFailure =
        h.handleError(ctx, rec, new IllegalStateException("scoring failed", new OrtException("x")));

    // then
    assertThat(poison.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(poison.deadLetterQueueRecords())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.topic()).isEqualTo(Topics.INGEST_DLQ.name());
              assertThat(r.key()).isEqualTo("s1".getBytes(StandardCharsets.UTF_8));
              RejectedInstance v =
                  Topics.INGEST_DLQ
                      .valueSerde(SerdeFactory.singleObject())
                      .deserializer()
                      .deserialize(r.topic(), r.value());
              assertThat(v.getSourceOffset()).isEqualTo(42L);
            });
    assertThat(transientFailure.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(transientFailure.deadLetterQueueRecords()).isEmpty();
  }

  /** The context Streams hands a handler, for one record. */
  record Context(String topic, int partition, long offset, byte[] sourceRawKey)
      implements ErrorHandlerContext {
    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "exam-assembler";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, partition);
    }

    @Override
    public long timestamp() {
      return 0L;
    }

    @Override
    public byte[] sourceRawValue() {
      return new byte[0];
    }
  }
}
