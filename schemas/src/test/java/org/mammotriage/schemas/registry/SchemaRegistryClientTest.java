package org.mammotriage.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.mammotriage.testing.FakeSchemaRegistry;

class SchemaRegistryClientTest {
  private static final Schema V1 =
      SchemaBuilder.record("R").namespace("t").fields().requiredString("a").endRecord();
  private static final Schema V2 =
      SchemaBuilder.record("R")
          .namespace("t")
          .fields()
          .requiredString("a")
          .name("b")
          .type()
          .stringType()
          .stringDefault("x")
          .endRecord();
  private static final Schema BREAKING =
      SchemaBuilder.record("R")
          .namespace("t")
          .fields()
          .requiredString("a")
          .requiredInt("c")
          .endRecord();

  @Test
  void shouldRegisterLookUpAndFetchByIdWithCaching() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      int id1 = c.register("topic-value", V1);
      int again = c.register("topic-value", V1);
      assertThat(again).isEqualTo(id1);
      int before = reg.requestCount();
      c.register("topic-value", V1);
      assertThat(reg.requestCount()).as("cached register makes no call").isEqualTo(before);
      int id2 = c.register("topic-value", V2);
      assertThat(id2).isNotEqualTo(id1);
      assertThat(c.lookup("topic-value", V2))
          .isEqualTo(new SchemaRegistryClient.Registered("topic-value", id2, 2));
      SchemaRegistryClient fresh = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      assertThat(fresh.schemaById(id1)).isEqualTo(V1);
    }
  }

  @Test
  void shouldTurnRegistryErrorsIntoClearExceptions() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      assertThatThrownBy(() -> c.lookup("nope-value", V1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(404);
                assertThat(e.errorCode()).isEqualTo(40401);
                assertThat(e.getMessage()).contains("subject not found");
              });
      assertThatThrownBy(() -> c.schemaById(999))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40403));
      c.register("s-value", V1);
      assertThatThrownBy(() -> c.register("s-value", BREAKING))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(409);
                assertThat(e.getMessage()).contains("BACKWARD compatible");
              });
    }
  }

  @Test
  void shouldReportInvalidSchemaAs422() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      reg.failNextWith(422, 42201, "Invalid schema: field 'a' has an unknown type");
      assertThatThrownBy(() -> c.register("x-value", V1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(422);
                assertThat(e.errorCode()).isEqualTo(42201);
                assertThat(e.getMessage())
                    .contains("rejected the schema as invalid")
                    .contains("unknown type");
              });
      assertThat(c.register("x-value", V1)).as("not cached after a failure").isPositive();
    }
  }

  @Test
  void shouldSendBasicAuthAndFailClearlyWithoutIt() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().requireBasicAuth("svc:secret")) {
      SchemaRegistryClient anon = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      assertThatThrownBy(() -> anon.register("a-value", V1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(401);
                assertThat(e.getMessage()).contains("basic.auth");
              });
      SchemaRegistryClient authed =
          new SchemaRegistryClient(
              new RegistrySettings(
                  URI.create(reg.url()),
                  "svc:secret",
                  null,
                  null,
                  "PKCS12",
                  Duration.ofSeconds(5)));
      assertThat(authed.register("a-value", V1)).isPositive();
    }
  }

  @Test
  void shouldFailClearlyWhenRegistryIsUnreachableOrTrustStoreMissing() {
    SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of("http://127.0.0.1:1"));
    assertThatThrownBy(() -> c.register("a-value", V1))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("unreachable")
        .hasMessageContaining("schema.registry.url");
    assertThatThrownBy(
            () ->
                new SchemaRegistryClient(
                    new RegistrySettings(
                        URI.create("https://x"),
                        null,
                        "/nonexistent/truststore.p12",
                        "pw",
                        "PKCS12",
                        Duration.ofSeconds(1))))
        .hasMessageContaining("trust store")
        .hasMessageContaining("truststore.location");
  }
}
