package org.mammotriage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.contract.Slot;
import org.mammotriage.ingest.FolderImporter;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.InstanceDecoder;
import org.mammotriage.ingest.dicom.Classification;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.scoring.ExamImage;
import org.mammotriage.scoring.ExamInput;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.scoring.ScoreResult;
import org.mammotriage.streams.SlotRules;
import org.mammotriage.streams.SlotRules.Acquisition;
import org.mammotriage.streams.SlotRules.Placement;
import org.mammotriage.streams.Triage;
import org.mammotriage.streams.TriageSettings;
import org.mammotriage.streams.TriageStreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mammotriage score}: scores one exam from files, for people trying a model by hand. The
 * folder holds either the exam's working images named by slot, or the study's DICOM files; DICOM
 * files go through ingest's own checks and preprocessing ({@link InstanceDecoder}) and are put into
 * slots by the stream's {@link SlotRules} (extra views, duplicates, retakes), so the score is the
 * one the running system would give.
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Score one exam from a folder: either its working images named by slot (L_CC.png, L_MLO.png, "
          + "R_CC.png, R_MLO.png), or the DICOM files of one study (searched recursively). DICOM "
          + "files are checked and preprocessed exactly as ingest does (ingest.* keys apply) and put "
          + "into slots as the stream does (exam.view.substitutions, retakes); the category uses the "
          + "model's thresholds unless triage.threshold.* overrides them.",
      "Exit status: 0 scored, 1 unscorable, 2 nothing usable or bad input."
    })
public final class ScoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description =
          "Folder with the exam's working images (8-bit PNG as ingest writes them) or its DICOM files.")
  Path dir;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL_DIR",
      description = "Model directory (model.json + ONNX files).")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto, cuda or cpu (default ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--device-required",
      description = "With --device cuda: fail instead of falling back to CPU.")
  boolean deviceRequired;

  @Option(
      names = "--write-working",
      paramLabel = "OUT_DIR",
      description =
          "With DICOM input: also write the working images the model was given, named by slot "
              + "(the folder can be scored again as it is).")
  Path writeWorking;

  @Option(
      names = "--json",
      description =
          "Print the result as one JSON object on standard output (what happened to each file goes to"
              + " standard error).")
  boolean json;

  /** What happened to each file (standard error with --json). */
  private PrintWriter out;

  private PrintWriter err;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    out = json ? err : stdout;
    var def = TriageStreamsConfig.define(IngestConfig.define(CommonConfig.define()));
    if (config.listRequested(def)) {
      return 0;
    }
    MammoConfig cfg = config.load(def, Map.of());
    if (!Files.isDirectory(dir)) {
      err.println(
          dir
              + " is not a folder: give the folder that holds one exam's working images or DICOM files");
      return 2;
    }
    // the model first: a broken model directory fails before any file is read
    try (OnnxExamScorer s = new OnnxExamScorer(model, device, deviceRequired, 0, 1, 0)) {
      List<ExamImage> images = new ArrayList<>();
      for (Slot slot : Slot.values()) {
        Path f = dir.resolve(slot.name() + ".png");
        if (Files.isRegularFile(f)) {
          images.add(new ExamImage(slot, Files.readAllBytes(f), f.getFileName().toString()));
        }
      }
      String examKey = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
      if (images.isEmpty()) {
        DicomExam exam =
            readDicom(InstanceDecoder.fromConfig(cfg), SlotRules.of(TriageSettings.from(cfg)), cfg);
        if (exam == null) {
          return 2;
        }
        images = exam.images();
        examKey = exam.studyUid();
      } else if (writeWorking != null) {
        err.println(
            "--write-working applies to DICOM input; " + dir + " already holds working images");
        return 2;
      }
      ScoreResult r = s.score(new ExamInput(examKey, images));
      ModelThresholds t = Triage.thresholds(r.model().thresholds(), TriageSettings.from(cfg));
      List<String> views = images.stream().map(i -> i.slot().name()).toList();
      if (json) {
        stdout.println(toJson(r, t, views));
        return r.scorable() ? 0 : 1;
      }
      out.printf(
          Locale.ROOT,
          "model %s on %s (%s)%n",
          r.model().id(),
          r.device(),
          r.model().intendedUse());
      out.printf(Locale.ROOT, "views: %s%n", views);
      if (!r.scorable()) {
        out.println("UNSCORABLE: " + r.unscorableReason() + hint(r.unscorableReason()));
        return 1;
      }
      out.printf(
          Locale.ROOT,
          "malignancy left %s  right %s  suspicion %.4f%n",
          fmt(r.malignancyLeft()),
          fmt(r.malignancyRight()),
          r.suspicion());
      out.printf(
          Locale.ROOT,
          "risk 1..5 years: %s%n",
          Arrays.toString(
              Arrays.stream(r.risk())
                  .mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                  .toArray()));
      out.printf(
          Locale.ROOT,
          "category with the %s thresholds (suspicious %.3f, low %.3f, risk5y %.3f): %s%s%s%n",
          t.provenance().equals("config") ? "configured" : "model's",
          t.suspicious(),
          t.low(),
          t.risk5y(),
          Triage.category(r, t).label(),
          Triage.riskElevated(r, t) ? " + risk elevated" : "",
          Triage.unseenBreasts(r).isEmpty()
              ? ""
              : " (breast unseen: " + String.join(", ", Triage.unseenBreasts(r)) + ")");
      return 0;
    } finally {
      stdout.flush();
      err.flush();
    }
  }

  private static String toJson(ScoreResult r, ModelThresholds t, List<String> views)
      throws IOException {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("exam_key", r.examKey());
    o.put("model", r.model().id());
    o.put("intended_use", r.model().intendedUse());
    o.put("device", r.device());
    views.forEach(o.putArray("views")::add);
    ArrayNode missing = o.putArray("missing_views");
    Arrays.stream(Slot.values())
        .map(Slot::name)
        .filter(v -> !views.contains(v))
        .forEach(missing::add);
    o.put("scorable", r.scorable());
    if (!r.scorable()) {
      o.put("unscorable_reason", r.unscorableReason());
    } else {
      ObjectNode mal = o.putObject("malignancy");
      if (r.malignancyLeft() != null) {
        mal.put("left", r.malignancyLeft());
      }
      if (r.malignancyRight() != null) {
        mal.put("right", r.malignancyRight());
      }
      o.put("suspicion", r.suspicion());
      ArrayNode risk = o.putArray("risk_1_to_5_years");
      Arrays.stream(r.risk()).forEach(risk::add);
      o.put("category", Triage.category(r, t).label());
      Triage.unseenBreasts(r).forEach(o.putArray("breasts_unseen")::add);
      o.put("risk_elevated", Triage.riskElevated(r, t));
    }
    ObjectNode th = o.putObject("thresholds");
    th.put("suspicious", t.suspicious());
    th.put("low", t.low());
    th.put("risk5y", t.risk5y());
    th.put("source", t.provenance());
    o.put("scoring_ms", r.scoringMillis());
    return m.writeValueAsString(o);
  }

  /** The slots filled from DICOM files, and the study they belong to. */
  private record DicomExam(String studyUid, List<ExamImage> images) {}

  /** One DICOM file that may fill a slot. */
  private record Candidate(Path file, String sop, Acquisition acquisition) {}

  /**
   * Reads the folder's DICOM files as ingest would; prints what happened to each file; null (after
   * saying why) when nothing can be scored.
   */
  private DicomExam readDicom(InstanceDecoder decoder, SlotRules rules, MammoConfig cfg)
      throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted()
              .toList();
    }
    out.printf(
        Locale.ROOT,
        "reading %d files in %s with ingest's checks and preprocessing %s (working size %dx%d)%n",
        files.size(),
        dir,
        Preprocessor.VERSION,
        cfg.getInt(IngestConfig.WORKING_ROWS),
        cfg.getInt(IngestConfig.WORKING_COLUMNS));
    Map<Slot, Candidate> chosen = new EnumMap<>(Slot.class);
    Set<String> studies = new LinkedHashSet<>();
    Map<String, Path> firstBySop = new HashMap<>();
    int skipped = 0;
    for (Path f : files) {
      String name = dir.relativize(f).toString();
      if (!FolderImporter.looksLikeDicom(f)) {
        skipped++;
        out.printf(
            Locale.ROOT,
            "  skipped %s: not tried as DICOM (by its extension, as import does)%n",
            name);
        continue;
      }
      AttributeList h = new AttributeList();
      Classification c;
      try {
        c = decoder.readHeader(f, Files.size(f), h);
      } catch (RejectedException e) {
        out.printf(Locale.ROOT, "  rejected %s: %s (%s)%n", name, e.reason(), e.getMessage());
        continue;
      }
      studies.add(InstanceDecoder.str(h, TagFromName.StudyInstanceUID));
      String sop = InstanceDecoder.str(h, TagFromName.SOPInstanceUID);
      if (rules.isDuplicate(firstBySop.keySet(), sop)) {
        out.printf(
            Locale.ROOT,
            "  duplicate %s: the same SOP Instance UID as %s, ignored as the stream does%n",
            name,
            dir.relativize(firstBySop.get(sop)));
        continue;
      }
      firstBySop.put(sop, f);
      var slot = rules.slotOf(c.laterality(), c.view(), c.modifiers());
      if (slot.isEmpty()) {
        out.printf(
            Locale.ROOT,
            "  extra view %s %s%s in %s: kept out of the four slots, as the stream does%n",
            c.laterality(),
            c.view(),
            c.modifiers().isEmpty() ? "" : " " + c.modifiers(),
            name);
        continue;
      }
      var acquired = InstanceDecoder.acquisitionTime(h);
      Candidate cand =
          new Candidate(
              f,
              sop,
              new Acquisition(
                  acquired == null ? null : acquired.toEpochMilli(),
                  InstanceDecoder.instanceNumber(h)));
      Candidate cur = chosen.get(slot.get());
      Placement p = rules.place(cand.acquisition(), cur == null ? null : cur.acquisition());
      if (p == Placement.FILLS) {
        chosen.put(slot.get(), cand);
      } else {
        Candidate kept = p.takesSlot() ? cand : cur;
        Candidate dropped = p.takesSlot() ? cur : cand;
        chosen.put(slot.get(), kept);
        out.printf(
            Locale.ROOT,
            p == Placement.SAME
                ? "  %s: %s and %s have the same acquisition time and instance number; the first"
                    + " (as the stream keeps the first to arrive) fills the slot%n"
                : "  %s: %s is a later acquisition than %s and fills the slot (retake)%n",
            slot.get(),
            dir.relativize(kept.file()),
            dir.relativize(dropped.file()));
      }
    }
    if (studies.size() > 1) {
      err.printf(
          Locale.ROOT,
          "%s holds images of %d studies (%s): score one exam at a time, from a folder with one study's files%n",
          dir,
          studies.size(),
          String.join(", ", studies));
      return null;
    }
    List<ExamImage> images = new ArrayList<>();
    for (var e : chosen.entrySet()) {
      Path f = e.getValue().file();
      String name = dir.relativize(f).toString();
      try {
        var wi = decoder.decode(f).workingImage();
        images.add(new ExamImage(e.getKey(), wi.png(), e.getValue().sop()));
        out.printf(
            Locale.ROOT,
            "  %-5s <- %s (%dx%d working image)%n",
            e.getKey(),
            name,
            wi.rows(),
            wi.cols());
        if (writeWorking != null) {
          Files.createDirectories(writeWorking);
          Files.write(writeWorking.resolve(e.getKey().name() + ".png"), wi.png());
        }
      } catch (RejectedException ex) {
        out.printf(
            Locale.ROOT,
            "  rejected %s (%s): %s (%s)%n",
            name,
            e.getKey(),
            ex.reason(),
            ex.getMessage());
      }
    }
    if (images.isEmpty()) {
      err.printf(
          Locale.ROOT,
          "nothing to score in %s: no file gave a working image for L_CC, L_MLO, R_CC or R_MLO%s "
              + "(give a folder with one study's For Presentation mammograms, or working images named "
              + "L_CC.png, L_MLO.png, R_CC.png, R_MLO.png)%n",
          dir,
          skipped == files.size() && !files.isEmpty() ? " (no DICOM files found)" : "");
      return null;
    }
    List<String> missing =
        Arrays.stream(Slot.values())
            .filter(s -> images.stream().noneMatch(i -> i.slot() == s))
            .map(Slot::name)
            .toList();
    if (!missing.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "  missing %s: scored with present=0 for %s%n",
          missing,
          missing.size() == 1 ? "it" : "them");
    }
    if (writeWorking != null) {
      out.printf(Locale.ROOT, "  working images written to %s%n", writeWorking);
    }
    return new DicomExam(studies.iterator().next(), images);
  }

  private static String hint(String reason) {
    return switch (reason) {
      case "UNDECODABLE_IMAGE" ->
          " (a working image does not decode; the log line above names the view. Working images are"
              + " 8-bit grayscale PNG as ingest writes them: give the DICOM files instead, or write"
              + " working images with --write-working)";
      case "NON_FINITE_OUTPUT", "RISK_NOT_MONOTONE" ->
          " (the model's output for this exam failed the checks: a fault of the model, not of the"
              + " images; report it with the model id to whoever trained it)";
      default -> "";
    };
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}
