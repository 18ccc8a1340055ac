package org.mammotriage.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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

  /** A clock the test moves; the client's sleeps move it too, so retries take no real time. */
  static final class FakeTime {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final List<Duration> sleeps = new ArrayList<>();

    SchemaRegistryClient client(RegistrySettings s) {
      return new SchemaRegistryClient(
          s,
          nanos::get,
          d -> {
            sleeps.add(d);
            nanos.addAndGet(d.toNanos());
          });
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /** A port nothing listens on (taken, then released). */
  static int deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void shouldRegisterLookUpAndFetchByIdWithCaching() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      int id1 = c.idForWriting("topic-value", V1);
      int before = reg.requestCount();
      assertThat(c.idForWriting("topic-value", V1)).isEqualTo(id1);
      assertThat(reg.requestCount()).as("cached id makes no call").isEqualTo(before);
      int id2 = c.idForWriting("topic-value", V2);
      assertThat(id2).isNotEqualTo(id1);
      assertThat(c.lookup("topic-value", V2))
          .isEqualTo(new SchemaRegistryClient.Registered("topic-value", id2, 2));
      SchemaRegistryClient fresh = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      assertThat(fresh.schemaById(id1)).isEqualTo(V1);
      before = reg.requestCount();
      assertThat(fresh.schemaById(id1)).isEqualTo(V1);
      assertThat(reg.requestCount()).as("schema by id cached").isEqualTo(before);
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
              SchemaRegistryException.class,
              e -> {
                assertThat(e.errorCode()).isEqualTo(40403);
                assertThat(e.retriable()).as("an unknown id is the record's fault").isFalse();
              });
      c.idForWriting("s-value", V1);
      assertThatThrownBy(() -> c.idForWriting("s-value", BREAKING))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(409);
                assertThat(e.retriable()).isFalse();
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
                assertThat(e.retriable()).isFalse();
                assertThat(e.getMessage())
                    .contains("rejected the schema as invalid")
                    .contains("unknown type");
              });
      assertThat(c.idForWriting("x-value", V1)).as("not cached after a failure").isPositive();
    }
  }

  @Test
  void shouldNotCallA422ThatIsNotAboutTheSchemaAnInvalidSchema() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      reg.failNextWith(422, 42203, "Invalid compatibility level");
      assertThatThrownBy(() -> c.setCompatibility("x-value", CompatibilityLevel.BACKWARD))
          .hasMessageContaining("refused the request (error_code 42203)")
          .hasMessageNotContaining("schema as invalid");
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
                assertThat(e.retriable()).as("an operator fixes credentials").isTrue();
                assertThat(e.getMessage()).contains("basic.auth");
              });
      assertThat(anon.health().up()).isFalse();
      SchemaRegistryClient authed =
          new SchemaRegistryClient(RegistrySettings.of(reg.url()).withBasicAuth("svc:secret"));
      assertThat(authed.register("a-value", V1)).isPositive();
      assertThat(authed.health().up()).isTrue();
    }
  }

  @Test
  void shouldFailClearlyWhenRegistryIsUnreachableOrTrustStoreMissing() throws Exception {
    FakeTime time = new FakeTime();
    SchemaRegistryClient c = time.client(RegistrySettings.of("http://127.0.0.1:" + deadPort()));
    assertThatThrownBy(() -> c.register("a-value", V1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(-1);
              assertThat(e.retriable()).isTrue();
              assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
            })
        .hasMessageContaining("unreachable")
        .hasMessageContaining("schema.registry.url");
    assertThat(c.health().up()).isFalse();
    assertThatThrownBy(
            () ->
                new SchemaRegistryClient(
                    RegistrySettings.of("https://x")
                        .withTrustStore("/nonexistent/truststore.p12", "pw", "PKCS12")))
        .hasMessageContaining("trust store")
        .hasMessageContaining("truststore.location");
  }

  @Test
  void shouldRetryTransientFailuresWithDoublingBackoffThenSucceed() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      FakeTime time = new FakeTime();
      SchemaRegistryClient c = time.client(RegistrySettings.of(reg.url()));
      reg.failNext(3, 503, 50301, "restarting");
      assertThat(c.register("r-value", V1)).isPositive();
      assertThat(time.sleeps)
          .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }
  }

  @Test
  void shouldGiveUpAfterTheRetryTimeoutAndThenFailFastUntilTheRegistryAnswers() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      FakeTime time = new FakeTime();
      SchemaRegistryClient c = time.client(RegistrySettings.of(reg.url()));
      reg.failNext(1000, 503, 50301, "down");
      assertThatThrownBy(() -> c.register("r-value", V1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(503);
                assertThat(e.retriable()).isTrue();
              });
      assertThat(time.sleeps)
          .as("doubling, and no wait that would end past the 5 s retry timeout")
          .extracting(Duration::toMillis)
          .containsExactly(100L, 200L, 400L, 800L, 1600L);
      int before = time.sleeps.size();
      int calls = reg.requestCount();
      assertThatThrownBy(() -> c.register("r-value", V1))
          .isInstanceOf(SchemaRegistryException.class);
      assertThat(time.sleeps).as("fails fast while the registry is known down").hasSize(before);
      assertThat(reg.requestCount()).as("but still asks once").isEqualTo(calls + 1);
      reg.heal();
      time.advance(Duration.ofSeconds(3));
      assertThat(c.register("r-value", V1)).isPositive();
    }
  }

  @Test
  void shouldFailOverToTheNextUrlAndKeepUsingIt() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      FakeTime time = new FakeTime();
      String dead = "http://127.0.0.1:" + deadPort();
      SchemaRegistryClient c = time.client(RegistrySettings.of(dead + ", " + reg.url()));
      assertThat(c.settings().urls()).hasSize(2);
      int id = c.register("f-value", V1);
      assertThat(new SchemaRegistryClient(RegistrySettings.of(reg.url())).schemaById(id))
          .isEqualTo(V1);
      assertThat(time.sleeps).as("the second URL answered in the first round").isEmpty();
      assertThat(c.health().up()).isTrue();
      assertThat(c.health().detail()).contains(reg.url());
    }
  }

  @Test
  void shouldAskEveryUrlForAnUnknownIdAndNeverCacheTheMiss() throws Exception {
    try (FakeSchemaRegistry a = new FakeSchemaRegistry();
        FakeSchemaRegistry b = new FakeSchemaRegistry()) {
      int id = new SchemaRegistryClient(RegistrySettings.of(b.url())).register("u-value", V1);
      SchemaRegistryClient c =
          new SchemaRegistryClient(RegistrySettings.of(a.url() + "," + b.url()));
      assertThat(c.schemaById(id)).as("replica b knows it").isEqualTo(V1);

      SchemaRegistryClient onlyA = new SchemaRegistryClient(RegistrySettings.of(a.url()));
      assertThatThrownBy(() -> onlyA.schemaById(id)).isInstanceOf(SchemaRegistryException.class);
      new SchemaRegistryClient(RegistrySettings.of(a.url())).register("u-value", V1);
      assertThat(onlyA.schemaById(id)).as("asked again, now known").isEqualTo(V1);
    }
  }

  @Test
  void shouldCheckTheSubjectAgainAfterTheCacheTtlAndKeepTheIdWhileTheRegistryIsAway()
      throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      FakeTime time = new FakeTime();
      SchemaRegistryClient c =
          time.client(RegistrySettings.of(reg.url()).withCacheTtl(Duration.ofMinutes(1)));
      int id = c.idForWriting("c-value", V1);
      int calls = reg.requestCount();
      time.advance(Duration.ofSeconds(30));
      c.idForWriting("c-value", V1);
      assertThat(reg.requestCount()).isEqualTo(calls);
      time.advance(Duration.ofSeconds(31));
      c.idForWriting("c-value", V1);
      assertThat(reg.requestCount()).as("checked again after the ttl").isGreaterThan(calls);

      time.advance(Duration.ofMinutes(2));
      reg.failNext(1000, 503, 50301, "down");
      assertThat(c.idForWriting("c-value", V1))
          .as("stale id while the registry is away")
          .isEqualTo(id);
      SchemaRegistryClient fresh = time.client(RegistrySettings.of(reg.url()));
      assertThatThrownBy(() -> fresh.idForWriting("c-value", V1))
          .as("a client without the id fails, retriably")
          .isInstanceOfSatisfying(
              SchemaRegistryException.class, e -> assertThat(e.retriable()).isTrue());
    }
  }

  @Test
  void shouldRaiseTheSubjectCompatibilityToBackwardBeforeRegistering() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().globalCompatibility("NONE")) {
      SchemaRegistryClient c = new SchemaRegistryClient(RegistrySettings.of(reg.url()));
      c.idForWriting("g-value", V1);
      assertThat(reg.subjectCompatibility("g-value")).isEqualTo("BACKWARD");
      assertThat(reg.requests())
          .containsSubsequence("PUT /config/g-value", "POST /subjects/g-value/versions");
      assertThatThrownBy(() -> c.idForWriting("g-value", BREAKING))
          .as("the level now protects the subject")
          .hasMessageContaining("HTTP 409");
    }
  }

  @Test
  void shouldLeaveAStricterLevelAloneAndHonourAConfiguredOne() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().globalCompatibility("FULL_TRANSITIVE")) {
      new SchemaRegistryClient(RegistrySettings.of(reg.url())).idForWriting("h-value", V1);
      assertThat(reg.requests()).noneMatch(r -> r.startsWith("PUT"));
      new SchemaRegistryClient(
              RegistrySettings.of(reg.url()).withCompatibility(CompatibilityLevel.NONE))
          .idForWriting("n-value", V1);
      assertThat(reg.subjectCompatibility("n-value")).isNull();
    }
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().globalCompatibility("NONE")) {
      new SchemaRegistryClient(RegistrySettings.of(reg.url()).withCompatibility(null))
          .idForWriting("u-value", V1);
      assertThat(reg.requests()).as("unmanaged").noneMatch(r -> r.contains("/config"));
    }
  }

  @Test
  void shouldOnlyLookUpWithoutAutoRegisterAndNameSubjectAndSchemaWhenAbsent() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry()) {
      SchemaRegistryClient readOnly =
          new SchemaRegistryClient(RegistrySettings.of(reg.url()).withAutoRegister(false));
      assertThatThrownBy(() -> readOnly.idForWriting("mammo.x.v1-value", V1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.retriable()).as("an operator registers it; nothing lost").isTrue();
                assertThat(e.getMessage())
                    .contains("no subject mammo.x.v1-value")
                    .contains("schema t.R")
                    .contains("schema.registry.auto.register is false");
              });
      assertThat(reg.requests()).noneMatch(r -> r.contains("/versions") || r.startsWith("PUT"));
      int id =
          new SchemaRegistryClient(RegistrySettings.of(reg.url())).register("mammo.x.v1-value", V1);
      assertThat(readOnly.idForWriting("mammo.x.v1-value", V1)).isEqualTo(id);
      assertThatThrownBy(() -> readOnly.idForWriting("mammo.x.v1-value", V2))
          .hasMessageContaining("but not this schema")
          .hasMessageContaining("schema t.R");
    }
  }

  @Test
  void shouldRefuseAWeakerLevelInAGovernedRegistry() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().globalCompatibility("NONE")) {
      new SchemaRegistryClient(RegistrySettings.of(reg.url()).withCompatibility(null))
          .register("w-value", V1);
      SchemaRegistryClient readOnly =
          new SchemaRegistryClient(RegistrySettings.of(reg.url()).withAutoRegister(false));
      assertThatThrownBy(() -> readOnly.idForWriting("w-value", V1))
          .hasMessageContaining("w-value has compatibility NONE, weaker than BACKWARD");
      assertThat(reg.subjectCompatibility("w-value")).as("never changed by a reader").isNull();
    }
  }

  @Test
  void shouldNameSubjectsByTheConfiguredStrategy() {
    assertThat(SubjectNameStrategy.TOPIC.subject("mammo.t.v1", false, V1))
        .isEqualTo("mammo.t.v1-value");
    assertThat(SubjectNameStrategy.TOPIC.subject("mammo.t.v1", true, V1))
        .isEqualTo("mammo.t.v1-key");
    assertThat(SubjectNameStrategy.RECORD.subject("mammo.t.v1", false, V1)).isEqualTo("t.R");
    assertThat(SubjectNameStrategy.TOPIC_RECORD.subject("mammo.t.v1", false, V1))
        .isEqualTo("mammo.t.v1-t.R");
    assertThat(SubjectNameStrategy.parse("topic_record"))
        .isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
    assertThatThrownBy(() -> SubjectNameStrategy.parse("TopicNameStrategy"))
        .hasMessageContaining("topic, record, topic-record");
  }

  @Test
  void shouldOrderCompatibilityLevelsByWhatTheyEnforce() {
    assertThat(CompatibilityLevel.FULL_TRANSITIVE.satisfies(CompatibilityLevel.BACKWARD)).isTrue();
    assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.satisfies(CompatibilityLevel.BACKWARD))
        .isTrue();
    assertThat(CompatibilityLevel.FULL.satisfies(CompatibilityLevel.BACKWARD_TRANSITIVE)).isFalse();
    assertThat(CompatibilityLevel.FORWARD.satisfies(CompatibilityLevel.BACKWARD)).isFalse();
    assertThat(CompatibilityLevel.NONE.satisfies(CompatibilityLevel.BACKWARD)).isFalse();
    assertThat(CompatibilityLevel.NONE.satisfies(CompatibilityLevel.NONE)).isTrue();
    assertThat(CompatibilityLevel.parse("backward")).isEqualTo(CompatibilityLevel.BACKWARD);
  }

  @Test
  void shouldReadEverySettingFromConfiguration() {
    RegistrySettings s =
        RegistrySettings.fromConfig(
                java.util.Map.of(
                    RegistrySettings.URL, "http://a:8081/, http://b:8081",
                    RegistrySettings.AUTO_REGISTER, "false",
                    RegistrySettings.COMPATIBILITY, "full",
                    RegistrySettings.SUBJECT_NAME_STRATEGY, "record",
                    RegistrySettings.CACHE_TTL_MS, "1000",
                    RegistrySettings.RETRY_TIMEOUT_MS, "0"))
            .orElseThrow();
    assertThat(s.urls())
        .extracting(Object::toString)
        .containsExactly("http://a:8081", "http://b:8081");
    assertThat(s.autoRegister()).isFalse();
    assertThat(s.compatibility()).isEqualTo(CompatibilityLevel.FULL);
    assertThat(s.subjectNameStrategy()).isEqualTo(SubjectNameStrategy.RECORD);
    assertThat(s.cacheTtl()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.retryTimeout()).isZero();
    assertThat(
            RegistrySettings.fromConfig(
                    java.util.Map.of(
                        RegistrySettings.URL, "http://a", RegistrySettings.COMPATIBILITY, ""))
                .orElseThrow()
                .compatibility())
        .as("empty: leave subjects as they are")
        .isNull();
    assertThat(RegistrySettings.fromConfig(java.util.Map.of(RegistrySettings.URL, " "))).isEmpty();
    assertThatThrownBy(() -> RegistrySettings.of("registry:8081"))
        .hasMessageContaining("not an http(s) URL");
  }
}
