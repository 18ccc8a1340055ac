package org.mammotriage.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.schemas.TopicSpec;
import org.mammotriage.schemas.Topics;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.testing.Fixtures;

/**
 * Every manifest under k8s/ parses into typed Kubernetes, Strimzi and KEDA models and follows the
 * project's rules.
 */
class KubernetesManifestsTest {
  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  static final Map<String, Class<?>> KINDS =
      Map.ofEntries(
          Map.entry("Namespace", Namespace.class),
          Map.entry("ConfigMap", ConfigMap.class),
          Map.entry("Service", Service.class),
          Map.entry("Deployment", Deployment.class),
          Map.entry("StatefulSet", StatefulSet.class),
          Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("NetworkPolicy", NetworkPolicy.class),
          Map.entry("Kafka", Kafka.class),
          Map.entry("KafkaNodePool", KafkaNodePool.class),
          Map.entry("KafkaTopic", KafkaTopic.class),
          Map.entry("KafkaUser", KafkaUser.class));

  /**
   * KEDA has no typed model on Maven Central: its fields are checked against this explicit schema.
   */
  static final Map<String, Set<String>> KEDA =
      Map.of(
          "ScaledObject.spec",
              Set.of(
                  "scaleTargetRef",
                  "minReplicaCount",
                  "maxReplicaCount",
                  "cooldownPeriod",
                  "pollingInterval",
                  "triggers"),
          "ScaledObject.spec.scaleTargetRef", Set.of("apiVersion", "kind", "name"),
          "ScaledObject.spec.triggers[]", Set.of("type", "metadata", "authenticationRef"),
          "TriggerAuthentication.spec", Set.of("secretTargetRef"),
          "TriggerAuthentication.spec.secretTargetRef[]", Set.of("parameter", "name", "key"));

  static Path k8s;
  static final List<Object> objects = new ArrayList<>();
  static final List<JsonNode> keda = new ArrayList<>();
  static final List<Path> files = new ArrayList<>();

  @BeforeAll
  static void parseAll() throws Exception {
    k8s = Fixtures.projectRoot().resolve("k8s");
    try (Stream<Path> s = Files.walk(k8s)) {
      files.addAll(
          s.filter(
                  p ->
                      p.toString().endsWith(".yaml")
                          && !p.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .toList());
    }
    for (Path f : files) {
      for (JsonNode doc :
          YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(f)).readAll()) {
        String kind = doc.path("kind").asText();
        if (kind.equals("ScaledObject") || kind.equals("TriggerAuthentication")) {
          keda.add(doc);
          continue;
        }
        Class<?> type = KINDS.get(kind);
        assertThat(type).as("%s: kind %s has a typed model in this test", f, kind).isNotNull();
        Object o = YAML.treeToValue(doc, type);
        List<String> unknown = new ArrayList<>();
        unknownFields(o, kind, unknown, new IdentityHashMap<>());
        assertThat(unknown).as("unknown fields in %s", k8s.relativize(f)).isEmpty();
        if (f.startsWith(k8s.resolve("base"))) {
          objects.add(o);
        }
      }
    }
  }

  /**
   * fabric8 and Strimzi keep unknown fields in additionalProperties instead of failing: find any.
   */
  static void unknownFields(
      Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen)
      throws Exception {
    if (o == null || seen.put(o, true) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      for (Object e : c) {
        unknownFields(e, path + "[]", out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    String pkg = o.getClass().getPackageName();
    if (!pkg.startsWith("io.fabric8") && !pkg.startsWith("io.strimzi")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object v = m.invoke(o);
      if (m.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add(path + ": " + extra.keySet());
        }
      } else if (!(o instanceof Quantity)) {
        unknownFields(v, path + "." + m.getName().substring(3), out, seen);
      }
    }
  }

  static <T> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void shouldParseEveryManifestIntoTypedModels() {
    assertThat(files).hasSizeGreaterThan(25);
    assertThat(all(Kafka.class)).hasSize(1);
    assertThat(all(KafkaUser.class))
        .extracting(u -> u.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "mammotriage-ingest",
            "mammotriage-streams",
            "mammotriage-worklist",
            "mammotriage-registry");
  }

  @Test
  void shouldCheckKedaResourcesAgainstTheirSchema() {
    assertThat(keda)
        .extracting(n -> n.path("kind").asText())
        .contains("ScaledObject", "TriggerAuthentication");
    for (JsonNode n : keda) {
      String kind = n.path("kind").asText();
      assertThat(n.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
      checkFields(n.path("spec"), kind + ".spec");
      if (kind.equals("ScaledObject")) {
        int max = n.path("spec").path("maxReplicaCount").asInt();
        assertThat(max)
            .as("no more streams replicas than image partitions")
            .isLessThanOrEqualTo(Topics.IMAGES.defaultPartitions());
        assertThat(n.path("spec").path("triggers").get(0).path("metadata").path("topic").asText())
            .isEqualTo(Topics.IMAGES.name());
      }
    }
  }

  static void checkFields(JsonNode node, String path) {
    Set<String> allowed = KEDA.get(path);
    if (allowed == null) {
      return;
    }
    node.fieldNames()
        .forEachRemaining(f -> assertThat(allowed).as("field %s at %s", f, path).contains(f));
    node.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isArray()) {
                e.getValue().forEach(item -> checkFields(item, path + "." + e.getKey() + "[]"));
              } else if (e.getValue().isObject()) {
                checkFields(e.getValue(), path + "." + e.getKey());
              }
            });
  }

  @Test
  void shouldHaveAKafkaTopicForEveryRegistryTopic() {
    Map<String, KafkaTopic> byName = new java.util.HashMap<>();
    all(KafkaTopic.class).forEach(t -> byName.put(t.getSpec().getTopicName(), t));
    for (TopicSpec<?> spec : Topics.ALL) {
      KafkaTopic t = byName.get(spec.name());
      assertThat(t).as("KafkaTopic for %s", spec.name()).isNotNull();
      assertThat(t.getSpec().getPartitions()).isEqualTo(spec.defaultPartitions());
      assertThat(t.getSpec().getReplicas()).isEqualTo(3);
      spec.configs()
          .forEach(
              (k, v) ->
                  assertThat(String.valueOf(t.getSpec().getConfig().get(k)))
                      .as("%s %s", spec.name(), k)
                      .isEqualTo(v));
    }
    for (var m : Topics.JSON_MIRRORS) {
      KafkaTopic t = byName.get(m.name());
      assertThat(t).as("KafkaTopic for the JSON mirror %s", m.name()).isNotNull();
      assertThat(t.getSpec().getPartitions()).isEqualTo(m.defaultPartitions());
    }
    // the schema registry's own storage (Apicurio KafkaSQL), nothing else
    assertThat(byName).containsKeys(REGISTRY_TOPICS.toArray(String[]::new));
    assertThat(byName).hasSize(Topics.ALL.size() + Topics.JSON_MIRRORS.size() + 2);
  }

  static final List<String> REGISTRY_TOPICS = List.of("kafkasql-journal", "kafkasql-snapshots");

  @Test
  void shouldPointIngestAndStreamsAtTheRegistryThatTheBaseDeploys() throws Exception {
    Deployment registry =
        all(Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals("mammotriage-registry"))
            .findFirst()
            .orElseThrow();
    Service svc =
        all(Service.class).stream()
            .filter(x -> x.getMetadata().getName().equals("mammotriage-registry"))
            .findFirst()
            .orElseThrow();
    assertThat(svc.getSpec().getSelector())
        .isEqualTo(registry.getSpec().getSelector().getMatchLabels());
    int port = svc.getSpec().getPorts().get(0).getPort();
    String url = "http://mammotriage-registry:" + port + "/apis/ccompat/v7";
    for (ConfigMap cm : all(ConfigMap.class)) {
      Properties p = new Properties();
      p.load(new StringReader(cm.getData().get("application.properties")));
      assertThat(p.getProperty("schema.registry.url"))
          .as(cm.getMetadata().getName())
          .isEqualTo(url);
    }
    for (String app : List.of("mammotriage-ingest", "mammotriage-streams")) {
      var labels =
          Stream.concat(
                  all(Deployment.class).stream()
                      .filter(d -> d.getMetadata().getName().equals(app))
                      .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()),
                  all(StatefulSet.class).stream()
                      .filter(d -> d.getMetadata().getName().equals(app))
                      .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()))
              .findFirst()
              .orElseThrow();
      assertThat(labels)
          .as("%s may reach the registry (NetworkPolicy registry-clients-only)", app)
          .containsEntry("mammotriage.io/registry-client", "true");
    }
  }

  @Test
  void shouldUseOnlyConfigKeysThatTheModulesDefine() throws Exception {
    Map<String, ConfigDef> defs =
        Map.of(
            "mammotriage-ingest", IngestConfig.define(CommonConfig.define()),
            "mammotriage-streams",
                ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())));
    for (ConfigMap cm : all(ConfigMap.class)) {
      ConfigDef def = defs.get(cm.getMetadata().getName());
      assertThat(def).as("which module reads ConfigMap %s", cm.getMetadata().getName()).isNotNull();
      Properties p = new Properties();
      p.load(new StringReader(cm.getData().get("application.properties")));
      assertThat(p).isNotEmpty();
      for (String key : p.stringPropertyNames()) {
        assertThat(def.names().contains(key) || key.startsWith("kafka."))
            .as("%s: key %s", cm.getMetadata().getName(), key)
            .isTrue();
        assertThat(key.toLowerCase(Locale.ROOT)).doesNotContain("patient").doesNotContain("name");
      }
    }
    for (PodSpec pod : pods()) {
      for (Container c : pod.getContainers()) {
        for (EnvVar e : c.getEnv()) {
          if (e.getName().startsWith("MAMMOTRIAGE_")) {
            String key =
                e.getName()
                    .substring("MAMMOTRIAGE_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '.');
            boolean known =
                defs.values().stream().anyMatch(d -> d.names().contains(key))
                    || key.startsWith("kafka.");
            assertThat(known).as("env %s maps to a config key", e.getName()).isTrue();
          }
        }
      }
    }
  }

  static List<PodSpec> pods() {
    List<PodSpec> out = new ArrayList<>();
    all(Deployment.class).forEach(d -> out.add(d.getSpec().getTemplate().getSpec()));
    all(StatefulSet.class).forEach(d -> out.add(d.getSpec().getTemplate().getSpec()));
    return out;
  }

  @Test
  void shouldRunEveryContainerAsNonRootWithLimitsAndAReadOnlyRoot() {
    assertThat(pods()).hasSize(3);
    for (PodSpec pod : pods()) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      List<Container> containers = new ArrayList<>(pod.getContainers());
      containers.addAll(pod.getInitContainers());
      for (Container c : containers) {
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop())
            .as(c.getName())
            .contains("ALL");
      }
    }
  }

  @Test
  void shouldLetOnlyTheHospitalRangeReachTheDicomPort() {
    NetworkPolicy np =
        all(NetworkPolicy.class).stream()
            .filter(n -> n.getMetadata().getName().equals("ingest-dicom"))
            .findFirst()
            .orElseThrow();
    var rule =
        np.getSpec().getIngress().stream()
            .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 11112))
            .findFirst()
            .orElseThrow();
    assertThat(rule.getFrom()).allSatisfy(peer -> assertThat(peer.getIpBlock()).isNotNull());
  }

  @Test
  void shouldRenderBothOverlaysWithKubectlKustomize() throws Exception {
    boolean kubectl =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
    Assumptions.assumeTrue(
        kubectl,
        "kubectl is not installed: the overlays were NOT render-checked (install kubectl to run this)");
    for (String overlay : List.of("dev", "prod")) {
      Process p =
          new ProcessBuilder(
                  "kubectl", "kustomize", k8s.resolve("overlays").resolve(overlay).toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as("kubectl kustomize %s: %s", overlay, out).isZero();
      assertThat(out).contains("kind: StatefulSet").contains("kind: KafkaTopic");
      if (overlay.equals("prod")) {
        assertThat(out).contains("nvidia.com/gpu: 1");
      }
    }
  }
}
