package org.mammotriage.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DICOM fixtures live in one place: the real vendor samples in {@code ../shared/samples} beside the
 * checkout. Every module's tests open them by name from here.
 */
public final class Fixtures {
  private Fixtures() {}

  /** The project root (Surefire/Failsafe pass it as {@code mammotriage.root}). */
  public static Path projectRoot() {
    String root = System.getProperty("mammotriage.root");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("run"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find the project root (a folder holding ./run) from " + root);
    }
    return p;
  }

  /** The shared samples folder ({@code ../shared/samples} next to the checkout). */
  public static Path samplesDir() {
    Path p = projectRoot().resolveSibling("shared").resolve("samples");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException(
          "real DICOM samples expected at " + p + " (../shared/samples beside the checkout)");
    }
    return p;
  }

  /** A sample by relative name, e.g. {@code vendor-headers/MG-Im-GE_Seno_1_ForPresentation.dcm}. */
  public static Path sample(String name) {
    Path p = samplesDir().resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("sample " + name + " not found under " + samplesDir());
    }
    return p;
  }
}
