package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import picocli.CommandLine;

/**
 * {@code mammotriage score} on real files: DICOM studies from the synthetic archive (renamed, so
 * slots come from the headers), scored with the bundled demo model.
 */
class ScoreCommandTest {
  static final String MODEL = "../models/demo-synthetic";
  @TempDir static Path tmp;

  /** Two studies of the archive: slot name (L_CC...) to its DICOM file. */
  static final List<Map<String, Path>> STUDIES = new ArrayList<>();

  @BeforeAll
  static void archive() throws Exception {
    Path arch = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(2, 11).withScale(0.05).withThreads(2)).generate(arch);
    Map<String, Map<String, Path>> byStudy = new LinkedHashMap<>();
    List<String> rows = Files.readAllLines(arch.resolve("manifest.csv"));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      byStudy
          .computeIfAbsent(f[1], k -> new LinkedHashMap<>())
          .put(f[3] + "_" + f[4], arch.resolve(f[5]));
    }
    for (Map<String, Path> s : byStudy.values()) {
      if (s.size() == 4) {
        STUDIES.add(s);
      }
    }
    assertThat(STUDIES).hasSizeGreaterThanOrEqualTo(2);
  }

  record Run(int rc, String out, String err) {}

  static Run score(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> a = new ArrayList<>(List.of("score"));
    a.addAll(List.of(args));
    int rc = cl.execute(a.toArray(String[]::new));
    return new Run(rc, out.toString(), err.toString());
  }

  /** Copies a study's four files under neutral names (img0.dcm ...), in a shuffled order. */
  static Path exam(Path dir, Map<String, Path> study, String... leaveOut) throws Exception {
    Files.createDirectories(dir);
    List<String> slots = new ArrayList<>(List.of("R_MLO", "L_CC", "R_CC", "L_MLO"));
    slots.removeAll(List.of(leaveOut));
    for (int i = 0; i < slots.size(); i++) {
      Files.copy(study.get(slots.get(i)), dir.resolve("img" + i + ".dcm"));
    }
    return dir;
  }

  static String line(String out, String prefix) {
    return out.lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElse("(no line " + prefix + ")");
  }

  @Test
  void shouldScoreADicomStudyAsIngestPreprocessesItAndTheSameAsItsWorkingImages() throws Exception {
    Path dicom = exam(tmp.resolve("full"), STUDIES.get(0));
    Path working = tmp.resolve("full-working");

    Run r = score(dicom.toString(), "--model", MODEL, "--write-working", working.toString());

    assertThat(r.rc()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("views: [L_CC, L_MLO, R_CC, R_MLO]", "SYNTHETIC");
    // slots come from the headers: the file renamed img1.dcm is the L CC view
    assertThat(r.out()).contains("L_CC  <- img1.dcm", "R_MLO <- img0.dcm");
    for (String slot : List.of("L_CC", "L_MLO", "R_CC", "R_MLO")) {
      AttributeList l = new AttributeList();
      l.read(STUDIES.get(0).get(slot).toFile());
      assertThat(Files.readAllBytes(working.resolve(slot + ".png")))
          .as(slot + " is ingest's working image of that view")
          .isEqualTo(Preprocessor.defaults().process(l).png());
    }
    Run again = score(working.toString(), "--model", MODEL);
    assertThat(again.rc()).isZero();
    assertThat(line(again.out(), "malignancy")).isEqualTo(line(r.out(), "malignancy"));
    assertThat(line(again.out(), "risk")).isEqualTo(line(r.out(), "risk"));
    assertThat(line(r.out(), "malignancy"))
        .matches("malignancy left 0\\.\\d{4}  right 0\\.\\d{4}.*");
  }

  @Test
  void shouldScoreAMissingViewWithPresentZeroAndReportRejectedAndSkippedFiles() throws Exception {
    Path dicom = exam(tmp.resolve("partial"), STUDIES.get(1), "R_CC");
    Files.writeString(dicom.resolve("junk.dcm"), "not a DICOM file at all");
    Files.writeString(dicom.resolve("notes.txt"), "side file");

    Run r = score(dicom.toString(), "--model", MODEL);

    assertThat(r.rc()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("views: [L_CC, L_MLO, R_MLO]")
        .contains("missing [R_CC]: scored with present=0")
        .contains("rejected junk.dcm: CORRUPT")
        .contains("skipped notes.txt");
    // the right breast still has its MLO, so both breasts are scored
    assertThat(line(r.out(), "malignancy"))
        .matches("malignancy left 0\\.\\d{4}  right 0\\.\\d{4}.*");
  }

  @Test
  void shouldFillASlotWithTheLaterAcquisitionAndIgnoreADuplicateInstance() throws Exception {
    Path dicom = exam(tmp.resolve("retake"), STUDIES.get(0));
    Path lcc = STUDIES.get(0).get("L_CC");
    Files.copy(lcc, dicom.resolve("zz_duplicate.dcm"));
    AttributeList l = new AttributeList();
    l.read(lcc.toFile());
    String acquired =
        Attribute.getSingleStringValueOrEmptyString(l, TagFromName.AcquisitionDateTime);
    assertThat(acquired).hasSizeGreaterThanOrEqualTo(14);
    rewrite(lcc, "2.25.1111", "2099" + acquired.substring(4), dicom.resolve("a_retake.dcm"));
    rewrite(lcc, "2.25.2222", "1999" + acquired.substring(4), dicom.resolve("b_older.dcm"));

    Run r = score(dicom.toString(), "--model", MODEL);

    assertThat(r.rc()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("L_CC  <- a_retake.dcm")
        .contains("duplicate zz_duplicate.dcm: the same SOP Instance UID as img1.dcm")
        .contains("a_retake.dcm is a later acquisition than b_older.dcm");

    Path same = exam(tmp.resolve("same-time"), STUDIES.get(0));
    rewrite(lcc, "2.25.3333", acquired, same.resolve("zz_same_time.dcm"));
    Run s = score(same.toString(), "--model", MODEL);
    assertThat(s.rc()).as(s.out() + s.err()).isZero();
    assertThat(s.out())
        .contains("img1.dcm and zz_same_time.dcm have the same acquisition time")
        .contains("L_CC  <- img1.dcm");
  }

  /** A copy of {@code from} as another instance (new SOP UID) acquired at another time. */
  private static void rewrite(Path from, String sop, String acquired, Path to) throws Exception {
    AttributeList c = new AttributeList();
    c.read(from.toFile());
    replace(c, TagFromName.SOPInstanceUID, sop);
    replace(c, TagFromName.MediaStorageSOPInstanceUID, sop);
    replace(c, TagFromName.AcquisitionDateTime, acquired);
    c.write(to.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
  }

  private static void replace(AttributeList l, com.pixelmed.dicom.AttributeTag t, String v)
      throws Exception {
    Attribute a = l.get(t);
    a.removeValues();
    a.addValue(v);
  }

  @Test
  void shouldRefuseAFolderWithTwoStudiesOrNothingUsable() throws Exception {
    Path two = exam(tmp.resolve("two"), STUDIES.get(0));
    Files.copy(STUDIES.get(1).get("L_CC"), two.resolve("other.dcm"));
    Run r = score(two.toString(), "--model", MODEL);
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains("holds images of 2 studies", "score one exam at a time");

    Path none = Files.createDirectories(tmp.resolve("none"));
    Files.writeString(none.resolve("manifest.csv"), "a,b\n");
    Run n = score(none.toString(), "--model", MODEL);
    assertThat(n.rc()).isEqualTo(2);
    assertThat(n.err()).contains("nothing to score", "no DICOM files found");

    Run brokenModel = score(two.toString(), "--model", none.toString());
    assertThat(brokenModel.rc()).isEqualTo(2);
    assertThat(brokenModel.err()).contains("has no model.json");
    assertThat(brokenModel.out()).as("the model is checked before any file is read").isEmpty();

    Path badPng = Files.createDirectories(tmp.resolve("bad-png"));
    Files.writeString(badPng.resolve("L_CC.png"), "not a PNG");
    Run u = score(badPng.toString(), "--model", MODEL);
    assertThat(u.rc()).isEqualTo(1);
    assertThat(u.out()).contains("UNSCORABLE: UNDECODABLE_IMAGE (a working image does not decode");

    Run missing = score(tmp.resolve("does-not-exist").toString(), "--model", MODEL);
    assertThat(missing.rc()).isEqualTo(2);
    assertThat(missing.err()).contains("is not a folder");
  }

  @Test
  void shouldPrintOneJsonObjectWithJsonAndTheSameScoresAsTheTextOutput() throws Exception {
    Path dicom = exam(tmp.resolve("json"), STUDIES.get(1));
    Run text = score(dicom.toString(), "--model", MODEL);
    Run r = score(dicom.toString(), "--model", MODEL, "--json");

    assertThat(r.rc()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.path("intended_use").asText()).contains("SYNTHETIC");
    assertThat(j.path("views")).hasSize(4);
    assertThat(j.path("missing_views")).isEmpty();
    assertThat(j.path("scorable").asBoolean()).isTrue();
    assertThat(j.path("risk_1_to_5_years")).hasSize(5);
    assertThat(j.path("thresholds").path("source").asText()).isEqualTo("manifest");
    assertThat(line(text.out(), "malignancy"))
        .startsWith(
            String.format(
                java.util.Locale.ROOT,
                "malignancy left %.4f  right %.4f",
                j.at("/malignancy/left").asDouble(),
                j.at("/malignancy/right").asDouble()));
    assertThat(line(text.out(), "category"))
        .endsWith(
            ": "
                + j.path("category").asText()
                + (j.path("risk_elevated").asBoolean() ? " + risk elevated" : ""));
    assertThat(r.err()).as("the per-file lines go to standard error").contains("L_CC  <- img1.dcm");
  }

  @Test
  void shouldUseConfiguredThresholdOverridesForTheCategory() throws Exception {
    Path dicom = exam(tmp.resolve("override"), STUDIES.get(1));
    Run r = score(dicom.toString(), "--model", MODEL, "-D", "triage.threshold.suspicious=0.0");
    assertThat(r.rc()).as(r.out() + r.err()).isZero();
    assertThat(line(r.out(), "category"))
        .startsWith("category with the configured thresholds (suspicious 0.000")
        .contains(": suspicious");
  }

  @Test
  void shouldRouteAnExamWithABreastUnseenToIncompleteNeverLowOrRoutine() throws Exception {
    Path dicom = exam(tmp.resolve("left-only"), STUDIES.get(0), "R_CC", "R_MLO");
    // every exam scores at or above "low" 0 and below "suspicious" 1: routine if both were seen
    Run r =
        score(
            dicom.toString(),
            "--model",
            MODEL,
            "--json",
            "-D",
            "triage.threshold.suspicious=1.0",
            "-D",
            "triage.threshold.low=0.0");

    assertThat(r.rc()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.at("/malignancy/left").isNumber()).isTrue();
    assertThat(j.at("/malignancy/right").isMissingNode()).isTrue();
    assertThat(j.path("category").asText()).isEqualTo("incomplete");
    assertThat(j.path("breasts_unseen").toString()).isEqualTo("[\"R\"]");
  }
}
