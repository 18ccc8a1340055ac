package org.mammotriage.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticArchiveTest {
  private static SynthOptions small(long seed) {
    return SynthOptions.defaults(3, seed).withScale(0.05).withThreads(2);
  }

  private static Map<String, String> checksums(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        out.put(
            dir.relativize(f).toString(),
            HexFormat.of().formatHex(md.digest(Files.readAllBytes(f))));
      }
    }
    return out;
  }

  @Test
  void shouldWriteByteIdenticalArchivesForTheSameSeed(@TempDir Path dir) throws Exception {
    SyntheticArchive.of(small(42)).generate(dir.resolve("a"));
    SyntheticArchive.of(small(42).withThreads(1)).generate(dir.resolve("b"));
    Map<String, String> a = checksums(dir.resolve("a"));
    assertThat(a).hasSizeGreaterThan(10);
    assertThat(checksums(dir.resolve("b"))).isEqualTo(a);
  }

  @Test
  void shouldKeepVersionOneArchivesByteIdenticalToBeforeBenchmarkV2(@TempDir Path dir)
      throws Exception {
    // the checksum of every file of this archive as written before benchmark v2 existed (commit
    // c884b46, x86-64, PixelMed 20220618): adding v2 must not move a single v1 byte
    SyntheticArchive.of(small(42)).generate(dir);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    Map<String, String> files = checksums(dir);
    for (Map.Entry<String, String> e : files.entrySet()) {
      md.update(
          (e.getKey() + "=" + e.getValue() + "\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(files).hasSize(18);
    assertThat(HexFormat.of().formatHex(md.digest()))
        .isEqualTo("63e351c99e33b270c046c27a1dd22e7274ed87ed7a465889dbdb976eb5235261");
  }

  @Test
  void shouldWriteADifferentArchiveForADifferentSeed(@TempDir Path dir) throws Exception {
    SyntheticArchive.of(small(42)).generate(dir.resolve("a"));
    SyntheticArchive.of(small(43)).generate(dir.resolve("b"));
    assertThat(checksums(dir.resolve("b")).values())
        .doesNotContainAnyElementsOf(checksums(dir.resolve("a")).values());
  }

  @Test
  void shouldWriteFourViewsPerStudyAndAManifestRowForEach(@TempDir Path dir) throws Exception {
    SyntheticArchive.Summary s = SyntheticArchive.of(small(5)).generate(dir);
    List<String> manifest = Files.readAllLines(dir.resolve("manifest.csv"));
    assertThat(manifest.get(0)).isEqualTo(SyntheticArchive.MANIFEST_HEADER);
    assertThat(manifest).hasSize(1 + 4 * s.studies());
    for (String row : manifest.subList(1, manifest.size())) {
      String path = row.split(",")[5];
      assertThat(dir.resolve(path)).isRegularFile();
    }
    assertThat(Files.readAllLines(dir.resolve("truth.csv"))).hasSize(1 + 2 * s.studies());
  }

  @Test
  void shouldFollowTheConfiguredCancerAndDensityProportions() {
    SynthOptions o =
        SynthOptions.defaults(2000, 9)
            .withMalignantShare(0.2)
            .withDensityWeights(0.1, 0.4, 0.4, 0.1);
    List<Patient> cohort = SyntheticArchive.of(o).cohort();
    long malignant =
        cohort.stream()
            .filter(
                p ->
                    p.exams().stream().anyMatch(e -> e.left().malignant() || e.right().malignant()))
            .count();
    // binomial(2000, 0.2): sd ≈ 18, so ±60 is > 3 sd
    assertThat(malignant).isBetween(340L, 460L);
    int[] density = new int[4];
    cohort.forEach(p -> density[p.density() - 1]++);
    assertThat(density[0]).isBetween(140, 260);
    assertThat(density[1]).isBetween(700, 900);
    assertThat(density[2]).isBetween(700, 900);
    assertThat(density[3]).isBetween(140, 260);
    long benign =
        cohort.stream()
            .flatMap(p -> p.exams().stream())
            .flatMap(e -> Stream.of(e.left(), e.right()))
            .filter(b -> !b.malignant() && !b.lesions().isEmpty())
            .count();
    long breasts = cohort.stream().mapToLong(p -> 2L * p.exams().size()).sum();
    // benign mass 8% + benign calcification 6% per breast, minus overlap: about 13.5%
    assertThat((double) benign / breasts).isBetween(0.10, 0.17);
  }

  @Test
  void shouldRaiseObservedCancerIncidenceWithTheLatentRisk() {
    List<Patient> cohort =
        SyntheticArchive.of(SynthOptions.defaults(4000, 3).withMalignantShare(0)).cohort();
    double high = incidence(cohort.stream().filter(p -> p.latentRisk() > 1).toList());
    double low = incidence(cohort.stream().filter(p -> p.latentRisk() < -1).toList());
    assertThat(high).isGreaterThan(2 * low);
  }

  private static double incidence(List<Patient> ps) {
    return ps.stream()
            .filter(
                p ->
                    p.exams().get(0).left().yearsToCancer() != null
                        || p.exams().get(0).right().yearsToCancer() != null)
            .count()
        / (double) ps.size();
  }

  @Test
  void shouldRejectNonsenseOptions() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SynthOptions.defaults(0, 1))
        .hasMessageContaining("patients");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SynthOptions.defaults(1, 1).withScale(3))
        .hasMessageContaining("scale");
  }

  static void unused() throws IOException {}
}
