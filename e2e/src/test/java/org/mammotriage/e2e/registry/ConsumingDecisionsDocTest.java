package org.mammotriage.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The snippets of {@code docs/consuming-decisions.md} are the code the subscriber ITs run: each
 * region marked {@code --8<-- [start:NAME]} … {@code [end:NAME]} in an example file appears in the
 * guide as it is.
 */
class ConsumingDecisionsDocTest {
  static final Path DOC = Decisions.ROOT.resolve("docs/consuming-decisions.md");
  static final Pattern REGION =
      Pattern.compile(
          "^[ \\t]*(?://|#) --8<-- \\[start:([\\w-]+)\\]\\n(.*?)^[ \\t]*(?://|#) --8<-- \\[end:\\1\\]",
          Pattern.MULTILINE | Pattern.DOTALL);

  @Test
  void shouldShowEveryTestedSnippetAsItIs() throws Exception {
    String doc = Files.readString(DOC);
    Map<String, String> regions = new LinkedHashMap<>();
    for (Path f :
        new Path[] {
          Decisions.EXAMPLES.resolve("python/read_decisions_registry.py"),
          Decisions.EXAMPLES.resolve("python/read_decisions_plain.py"),
          Decisions.EXAMPLES.resolve("node/read-decisions.js"),
          Path.of("src/test/java/org/mammotriage/e2e/registry/ReadDecisionsExample.java")
        }) {
      Matcher m = REGION.matcher(Files.readString(f));
      while (m.find()) {
        regions.put(m.group(1), dedent(m.group(2)));
      }
    }
    assertThat(regions)
        .containsOnlyKeys("python-registry", "python-plain", "node-plain", "node-registry", "java");
    regions.forEach(
        (name, code) -> assertThat(doc).as("snippet %s in %s", name, DOC).contains(code));
  }

  /** Removes the indentation common to every line, as a code block in the guide shows it. */
  static String dedent(String code) {
    int min = Integer.MAX_VALUE;
    for (String l : code.split("\n")) {
      if (!l.isBlank()) {
        min = Math.min(min, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : code.split("\n")) {
      sb.append(l.isBlank() ? "" : l.substring(min)).append('\n');
    }
    return sb.toString();
  }
}
