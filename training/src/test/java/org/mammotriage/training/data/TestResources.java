package org.mammotriage.training.data;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Opens the small public-layout fixture tables under src/test/resources/fixtures. */
final class TestResources {
  private TestResources() {}

  static Path fixture(String name) {
    try {
      var url = TestResources.class.getResource("/fixtures/" + name);
      if (url == null) {
        throw new IllegalStateException(
            "test fixture " + name + " missing from src/test/resources/fixtures");
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
