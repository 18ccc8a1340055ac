package org.mammotriage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The module layering (README "Modules", DESIGN §1) read from the poms and the sources themselves:
 * each module may depend only on the modules listed for it here, every import of a project package
 * must come from a module it depends on, and the runtime jar set carries no training, DJL/PyTorch,
 * benchmark or test-model code. A new arrow between modules fails here until this table (and the
 * README) say it is intended.
 */
class ModuleLayeringTest {
  private static final Path ROOT =
      Path.of(System.getProperty("mammotriage.root", "..")).normalize();

  /** Allowed compile-scope dependencies on other project modules, bottom up. */
  private static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

  static {
    allow("common");
    allow("schemas");
    allow("model-contract");
    allow("synth");
    allow("evaluation", "common", "model-contract");
    allow("testkit", "schemas", "model-contract");
    allow("broker", "schemas");
    allow("scoring", "common", "model-contract");
    allow("ingest", "common", "schemas", "model-contract");
    allow("streams", "common", "schemas", "scoring");
    allow("training", "common", "schemas", "model-contract", "evaluation", "synth", "ingest");
    allow(
        "app",
        "common",
        "schemas",
        "model-contract",
        "evaluation",
        "synth",
        "broker",
        "ingest",
        "scoring",
        "streams");
    allow("bench", "app", "testkit", "synth", "ingest-tests");
    allow("e2e");
  }

  /** Modules that end up in the runtime (the {@code mammotriage} executable). */
  private static final Set<String> RUNTIME =
      Set.of(
          "common",
          "schemas",
          "model-contract",
          "evaluation",
          "synth",
          "broker",
          "scoring",
          "ingest",
          "streams",
          "app");

  /** Which module a project package belongs to (longest prefix wins). */
  private static final Map<String, String> PACKAGES = new LinkedHashMap<>();

  static {
    PACKAGES.put("org.mammotriage.config", "common");
    PACKAGES.put("org.mammotriage.ops", "common");
    PACKAGES.put("org.mammotriage.report", "common");
    PACKAGES.put("org.mammotriage.progress", "common");
    PACKAGES.put("org.mammotriage.failure", "common");
    PACKAGES.put("org.mammotriage.schemas", "schemas");
    PACKAGES.put("org.mammotriage.contract", "model-contract");
    PACKAGES.put("org.mammotriage.evaluation", "evaluation");
    PACKAGES.put("org.mammotriage.synth", "synth");
    PACKAGES.put("org.mammotriage.kafka", "broker");
    PACKAGES.put("org.mammotriage.testing", "testkit");
    PACKAGES.put("org.mammotriage.scoring", "scoring");
    PACKAGES.put("org.mammotriage.ingest", "ingest");
    PACKAGES.put("org.mammotriage.streams", "streams");
    PACKAGES.put("org.mammotriage.training", "training");
    PACKAGES.put("org.mammotriage.app", "app");
    PACKAGES.put("org.mammotriage.bench", "bench");
    PACKAGES.put("org.mammotriage.e2e", "e2e");
  }

  /**
   * Schemas' own fixtures, in its test-jar (the testkit depends on schemas, so they cannot be
   * there).
   */
  private static final Set<String> SCHEMA_FIXTURES =
      Set.of("org.mammotriage.testing.SampleRecords", "org.mammotriage.testing.FakeSchemaRegistry");

  private static void allow(String module, String... deps) {
    ALLOWED.put(module, Set.of(deps));
  }

  private static final Pattern DEP =
      Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?(org\\.mammotriage\\.[\\w.]+);", Pattern.MULTILINE);

  record Dep(String artifact, String scope) {}

  @Test
  void shouldListEveryModuleOfTheParentPom() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    Set<String> modules = new TreeSet<>();
    Matcher m = Pattern.compile("<module>([\\w-]+)</module>").matcher(parent);
    while (m.find()) {
      modules.add(m.group(1));
    }
    assertThat(modules).containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
  }

  @Test
  void shouldDeclareOnlyAllowedModuleDependencies() {
    List<String> wrong = new ArrayList<>();
    for (String module : ALLOWED.keySet()) {
      for (Dep d : deps(module)) {
        boolean test = "test".equals(d.scope());
        if (!test && !ALLOWED.get(module).contains(d.artifact())) {
          wrong.add(module + " -> " + d.artifact() + " (compile scope; not in the layering table)");
        }
        if (RUNTIME.contains(module) && d.artifact().equals("training")) {
          wrong.add(module + " -> training (a runtime module must never depend on training)");
        }
      }
    }
    assertThat(wrong).as("module dependencies outside the layering").isEmpty();
  }

  @Test
  void shouldImportProjectPackagesOnlyFromModulesDependedOn() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (String module : ALLOWED.keySet()) {
      Set<String> main = closure(module, false);
      Set<String> withTests = closure(module, true);
      wrong.addAll(badImports(module, "src/main/java", main));
      wrong.addAll(badImports(module, "src/test/java", withTests));
    }
    assertThat(wrong).as("imports across the layering").isEmpty();
  }

  @Test
  void shouldKeepSchemasFreeOfAnythingButSchemasSerdesAndTheRegistry() throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("schemas/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String src = Files.readString(f);
        Matcher pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(src);
        if (!pkg.find() || !pkg.group(1).startsWith("org.mammotriage.schemas")) {
          wrong.add(f + ": package outside org.mammotriage.schemas");
        }
        Matcher m = IMPORT.matcher(src);
        while (m.find()) {
          if (!m.group(1).startsWith("org.mammotriage.schemas.")) {
            wrong.add(f + " imports " + m.group(1));
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void shouldShipNoTrainingDjlBenchOrTestModelsInTheRuntimeJars() throws IOException {
    Path lib = ROOT.resolve("app/target/lib");
    assertThat(lib).as("app is packaged before this module's tests run").isDirectory();
    List<String> wrong = new ArrayList<>();
    List<Path> jars;
    try (Stream<Path> s = Files.list(lib)) {
      jars = new ArrayList<>(s.filter(p -> p.toString().endsWith(".jar")).toList());
    }
    jars.add(ROOT.resolve("app/target/mammotriage-app.jar"));
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      if (name.matches("(?i).*(djl|pytorch|torch|mammotriage-(training|testkit|bench)).*")) {
        wrong.add(name);
      }
      try (ZipFile z = new ZipFile(jar.toFile())) {
        z.stream()
            .map(e -> e.getName())
            .filter(
                n ->
                    n.startsWith("org/mammotriage/testing/")
                        || n.startsWith("org/mammotriage/training/")
                        || n.startsWith("org/mammotriage/bench/")
                        || n.startsWith("org/mammotriage/ingest/fuzz/")
                        || n.startsWith("ai/djl/"))
            .findFirst()
            .ifPresent(n -> wrong.add(name + " contains " + n));
      }
    }
    assertThat(jars).hasSizeGreaterThan(10);
    assertThat(wrong).as("runtime jar set of mammotriage ingest/streams").isEmpty();
  }

  private static List<String> badImports(String module, String dir, Set<String> allowed)
      throws IOException {
    Path root = ROOT.resolve(module).resolve(dir);
    List<String> wrong = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return wrong;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String owner = owner(m.group(1));
          if (SCHEMA_FIXTURES.contains(m.group(1))) {
            owner = "schemas-tests";
          }
          if (owner == null) {
            wrong.add(ROOT.relativize(f) + " imports " + m.group(1) + " (no module owns it)");
          } else if (!owner.equals(module)
              && !allowed.contains(owner)
              && !(owner.equals("schemas-tests") && module.equals("schemas"))) {
            wrong.add(ROOT.relativize(f) + " imports " + m.group(1) + " from " + owner);
          }
        }
      }
    }
    return wrong;
  }

  private static String owner(String fqn) {
    String best = null;
    int len = -1;
    for (var e : PACKAGES.entrySet()) {
      if ((fqn.startsWith(e.getKey() + ".")) && e.getKey().length() > len) {
        best = e.getValue();
        len = e.getKey().length();
      }
    }
    return best;
  }

  /** Modules reachable from {@code module} through its declared dependencies. */
  private static Set<String> closure(String module, boolean withTests) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (Dep d : deps(module)) {
      if (withTests || !"test".equals(d.scope())) {
        todo.add(d.artifact());
      }
    }
    while (!todo.isEmpty()) {
      String m = todo.poll();
      if (m.endsWith("-tests")) {
        // a module's test-jar: its classes, and what its main jar depends on
        seen.add(m);
        todo.add(m.substring(0, m.length() - "-tests".length()));
        continue;
      }
      if (seen.add(m)) {
        for (Dep d : deps(m)) {
          if (!"test".equals(d.scope())) {
            todo.add(d.artifact());
          }
        }
      }
    }
    return seen;
  }

  private static List<Dep> deps(String module) {
    String pom;
    try {
      pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int from = pom.indexOf("<dependencies>");
    int to = pom.indexOf("</dependencies>");
    List<Dep> out = new ArrayList<>();
    if (from < 0) {
      return out;
    }
    Matcher m = DEP.matcher(pom.substring(from, to));
    while (m.find()) {
      String d = m.group(1);
      if (!d.contains("<groupId>org.mammotriage</groupId>")) {
        continue;
      }
      String artifact = tag(d, "artifactId").replaceFirst("^mammotriage-", "");
      String type = tag(d, "type");
      out.add(new Dep("test-jar".equals(type) ? artifact + "-tests" : artifact, tag(d, "scope")));
    }
    return out;
  }

  private static String tag(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
    return m.find() ? m.group(1).trim() : null;
  }
}
