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
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
          Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class),
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
      List<Object> parsed = new ArrayList<>();
      parse(Files.readString(f), k8s.relativize(f).toString(), parsed, keda);
      if (f.startsWith(k8s.resolve("base"))) {
        objects.addAll(parsed);
      }
    }
  }

  /**
   * Parses a (multi-document) YAML text into typed models, failing on kinds without one and on
   * unknown fields; KEDA resources go to {@code kedaOut} as trees.
   */
  static void parse(String yaml, String where, List<Object> out, List<JsonNode> kedaOut)
      throws Exception {
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
      if (doc == null || doc.isNull() || doc.isMissingNode()) {
        continue;
      }
      String kind = doc.path("kind").asText();
      if (kind.equals("ScaledObject") || kind.equals("TriggerAuthentication")) {
        kedaOut.add(doc);
        continue;
      }
      Class<?> type = KINDS.get(kind);
      assertThat(type).as("%s: kind %s has a typed model in this test", where, kind).isNotNull();
      Object o = YAML.treeToValue(doc, type);
      List<String> unknown = new ArrayList<>();
      unknownFields(o, kind, unknown, new IdentityHashMap<>());
      assertThat(unknown).as("unknown fields in %s", where).isEmpty();
      out.add(o);
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
    return all(objects, type);
  }

  static <T> List<T> all(List<Object> from, Class<T> type) {
    return from.stream().filter(type::isInstance).map(type::cast).toList();
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
    checkConfigKeys(objects);
  }

  static void checkConfigKeys(List<Object> from) throws Exception {
    Map<String, ConfigDef> defs =
        Map.of(
            "mammotriage-ingest", IngestConfig.define(CommonConfig.define()),
            "mammotriage-streams",
                ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())));
    for (ConfigMap cm : all(from, ConfigMap.class)) {
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
    for (PodSpec pod : pods(from)) {
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
    return pods(objects);
  }

  static List<PodSpec> pods(List<Object> from) {
    List<PodSpec> out = new ArrayList<>();
    all(from, Deployment.class).forEach(d -> out.add(d.getSpec().getTemplate().getSpec()));
    all(from, StatefulSet.class).forEach(d -> out.add(d.getSpec().getTemplate().getSpec()));
    return out;
  }

  @Test
  void shouldRunEveryContainerAsNonRootWithLimitsAndAReadOnlyRoot() {
    checkPodSecurity(objects);
  }

  static void checkPodSecurity(List<Object> from) {
    assertThat(pods(from)).hasSize(3);
    for (PodSpec pod : pods(from)) {
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

  /**
   * The stream's JVM runs the parallel collector (its image fetches die young; G1 cost 0.4-1.2 ms
   * of CPU an exam on them: docs/benchmarks.md, thirteenth session), with a heap that leaves room
   * under the container's memory limit for direct memory and ONNX Runtime.
   */
  @Test
  void shouldRunTheStreamUnderTheParallelCollectorWithAHeapUnderItsLimit() {
    StatefulSet streams = all(objects, StatefulSet.class).get(0);
    Container c = streams.getSpec().getTemplate().getSpec().getContainers().get(0);
    String opts =
        c.getEnv().stream()
            .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("the streams container sets no JAVA_TOOL_OPTIONS"));
    assertThat(opts.split(" ")).contains("-XX:+UseParallelGC");
    java.util.regex.Matcher xmx = java.util.regex.Pattern.compile("-Xmx(\\d+)([mg])").matcher(opts);
    assertThat(xmx.find()).as("a heap size in %s", opts).isTrue();
    long heap = Long.parseLong(xmx.group(1)) << (xmx.group(2).equals("g") ? 30 : 20);
    long limit = c.getResources().getLimits().get("memory").getNumericalAmount().longValueExact();
    assertThat(heap).isLessThan(limit * 3 / 4);
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

  static void assumeKubectl() {
    boolean kubectl =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
    Assumptions.assumeTrue(
        kubectl,
        "kubectl is not installed: the overlays were NOT render-checked (install kubectl to run this)");
  }

  /** {@code kubectl kustomize} of an overlay, asserted to succeed. */
  static String kustomize(String overlay) throws Exception {
    Process p =
        new ProcessBuilder(
                "kubectl", "kustomize", k8s.resolve("overlays").resolve(overlay).toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("kubectl kustomize %s: %s", overlay, out).isZero();
    return out;
  }

  @Test
  void shouldRenderBothOverlaysWithKubectlKustomize() throws Exception {
    assumeKubectl();
    for (String overlay : List.of("dev", "prod")) {
      String out = kustomize(overlay);
      assertThat(out).contains("kind: StatefulSet").contains("kind: KafkaTopic");
      if (overlay.equals("prod")) {
        assertThat(out).contains("nvidia.com/gpu: 1");
      }
      assertThat(out)
          .as("%s: the image store is opt-in (pixels travel in Kafka by default)", overlay)
          .doesNotContain("kind: PersistentVolumeClaim")
          .doesNotContain("mammotriage-images")
          .doesNotContain("IMAGES_STORE");
    }
  }

  @Test
  void shouldKeepTheImageStoreOutOfTheBase() {
    assertThat(all(PersistentVolumeClaim.class)).isEmpty();
    for (PodSpec pod : pods()) {
      assertThat(pod.getVolumes())
          .allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull());
      for (Container c : pod.getContainers()) {
        assertThat(c.getEnv()).noneMatch(e -> e.getName().equals(IMAGES_STORE_ENV));
      }
    }
  }

  static final String IMAGES_STORE_ENV =
      "MAMMOTRIAGE_" + CommonConfig.IMAGES_STORE_DIR.toUpperCase(Locale.ROOT).replace('.', '_');

  @Test
  void shouldRenderTheImageStoreComponentIntoAnOverlay() throws Exception {
    assumeKubectl();
    List<Object> rendered = new ArrayList<>();
    List<JsonNode> renderedKeda = new ArrayList<>();
    parse(
        kustomize("prod-image-store"),
        "kubectl kustomize overlays/prod-image-store",
        rendered,
        renderedKeda);
    assertThat(renderedKeda)
        .extracting(n -> n.path("kind").asText())
        .contains("ScaledObject", "TriggerAuthentication");
    renderedKeda.forEach(n -> checkFields(n.path("spec"), n.path("kind").asText() + ".spec"));

    PersistentVolumeClaim pvc =
        all(rendered, PersistentVolumeClaim.class).stream()
            .filter(c -> c.getMetadata().getName().equals("mammotriage-images"))
            .findFirst()
            .orElseThrow();
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(pvc.getSpec().getStorageClassName()).isNotBlank();
    assertThat(pvc.getSpec().getResources().getRequests()).containsKey("storage");

    Deployment ingest =
        all(rendered, Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals("mammotriage-ingest"))
            .findFirst()
            .orElseThrow();
    StatefulSet streams =
        all(rendered, StatefulSet.class).stream()
            .filter(d -> d.getMetadata().getName().equals("mammotriage-streams"))
            .findFirst()
            .orElseThrow();
    assertThat(pvc.getMetadata().getNamespace())
        .isEqualTo(ingest.getMetadata().getNamespace())
        .isEqualTo(streams.getMetadata().getNamespace())
        .isEqualTo("mammotriage");

    VolumeMount ingestMount =
        storeMount(ingest.getSpec().getTemplate().getSpec(), "ingest", pvc, false);
    VolumeMount streamsMount =
        storeMount(streams.getSpec().getTemplate().getSpec(), "streams", pvc, true);
    assertThat(ingestMount.getReadOnly()).as("ingest writes the image store").isNotEqualTo(true);
    assertThat(streamsMount.getMountPath())
        .as("ingest and streams see the image store at the same path")
        .isEqualTo(ingestMount.getMountPath());
    String path = ingestMount.getMountPath();
    assertThat(path).startsWith("/");

    Map<String, ConfigMap> configMaps = new java.util.HashMap<>();
    all(rendered, ConfigMap.class).forEach(cm -> configMaps.put(cm.getMetadata().getName(), cm));
    assertThat(storeDir(ingest.getSpec().getTemplate().getSpec(), "ingest", configMaps))
        .as("ingest images.store.dir")
        .isEqualTo(path);
    assertThat(storeDir(streams.getSpec().getTemplate().getSpec(), "streams", configMaps))
        .as("streams images.store.dir")
        .isEqualTo(path);

    // the base's rules hold for the rendered overlay too
    checkConfigKeys(rendered);
    checkPodSecurity(rendered);
  }

  /** The container's mount of the claim, checked against the pod's volume for it. */
  static VolumeMount storeMount(
      PodSpec pod, String container, PersistentVolumeClaim pvc, boolean readOnlyAllowed) {
    Volume vol =
        pod.getVolumes().stream()
            .filter(
                v ->
                    v.getPersistentVolumeClaim() != null
                        && v.getPersistentVolumeClaim()
                            .getClaimName()
                            .equals(pvc.getMetadata().getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(container + ": no volume for the image claim"));
    if (!readOnlyAllowed) {
      assertThat(vol.getPersistentVolumeClaim().getReadOnly()).as(container).isNotEqualTo(true);
    }
    Container c =
        pod.getContainers().stream()
            .filter(x -> x.getName().equals(container))
            .findFirst()
            .orElseThrow();
    return c.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(vol.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container + " does not mount " + vol.getName()));
  }

  /**
   * images.store.dir as the container sees it: its MAMMOTRIAGE_ variable (which overrides the file)
   * or else the key in the application.properties of the ConfigMap it mounts.
   */
  static String storeDir(PodSpec pod, String container, Map<String, ConfigMap> configMaps)
      throws Exception {
    Container c =
        pod.getContainers().stream()
            .filter(x -> x.getName().equals(container))
            .findFirst()
            .orElseThrow();
    for (EnvVar e : c.getEnv()) {
      if (e.getName().equals(IMAGES_STORE_ENV)) {
        assertThat(e.getValueFrom()).as("%s: a literal value", e.getName()).isNull();
        return e.getValue();
      }
    }
    for (Volume v : pod.getVolumes()) {
      if (v.getConfigMap() != null && configMaps.containsKey(v.getConfigMap().getName())) {
        Properties p = new Properties();
        p.load(
            new StringReader(
                configMaps
                    .get(v.getConfigMap().getName())
                    .getData()
                    .get("application.properties")));
        String dir = p.getProperty(CommonConfig.IMAGES_STORE_DIR);
        if (dir != null) {
          return dir.trim();
        }
      }
    }
    return null;
  }
}
