package org.mammotriage.training.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;
import org.mammotriage.training.report.MetaMasking;
import org.mammotriage.training.report.ReportTemplate;
import org.mammotriage.training.report.Tokenizer;

/**
 * The breasts of a training manifest grouped for pretraining (one report per breast, MV-MLM), and
 * the report corpus the vocabulary is built from. Only CC and MLO views are used; other views
 * (XCCL, spot, ...) are skipped.
 */
public final class PretrainData {
  private final TrainingManifest manifest;
  private final List<BreastSample> breasts;

  private PretrainData(TrainingManifest manifest, List<BreastSample> breasts) {
    this.manifest = manifest;
    this.breasts = breasts;
  }

  public static PretrainData read(Path manifestFile) {
    return of(TrainingManifest.read(manifestFile));
  }

  public static PretrainData of(TrainingManifest manifest) {
    Map<String, Path[]> views = new LinkedHashMap<>();
    Map<String, ManifestRow> first = new LinkedHashMap<>();
    for (ManifestRow r : manifest.rows()) {
      String v = r.view().toUpperCase(Locale.ROOT);
      if (!v.equals("CC") && !v.equals("MLO")) {
        continue;
      }
      String key = r.breastKey();
      first.putIfAbsent(key, r);
      Path[] pair = views.computeIfAbsent(key, k -> new Path[2]);
      int i = v.equals("CC") ? 0 : 1;
      if (pair[i] == null) {
        pair[i] = manifest.resolve(r);
      }
    }
    List<BreastSample> out = new ArrayList<>();
    for (Map.Entry<String, Path[]> e : views.entrySet()) {
      ManifestRow r = first.get(e.getKey());
      out.add(
          new BreastSample(
              e.getKey(), r.patientId(), r.split(), e.getValue()[0], e.getValue()[1], r));
    }
    return new PretrainData(manifest, List.copyOf(out));
  }

  public TrainingManifest manifest() {
    return manifest;
  }

  public List<BreastSample> breasts() {
    return breasts;
  }

  /**
   * The CC and MLO images of every study (both breasts), in manifest order: MaMA draws an image's
   * partner from its study.
   */
  public Map<String, List<Path>> studyImages() {
    Map<String, List<Path>> out = new LinkedHashMap<>();
    for (BreastSample b : breasts) {
      List<Path> l = out.computeIfAbsent(b.row().studyUid(), k -> new ArrayList<>());
      if (b.cc() != null) {
        l.add(b.cc());
      }
      if (b.mlo() != null) {
        l.add(b.mlo());
      }
    }
    return out;
  }

  /** Breasts of one split; {@code multiView} keeps only those with both CC and MLO. */
  public List<BreastSample> split(String split, boolean multiView) {
    return breasts.stream()
        .filter(b -> b.split().equals(split))
        .filter(b -> !multiView || b.bothViews())
        .toList();
  }

  /**
   * The corpus the vocabulary is built from: every training report unmasked, plus the masked word.
   */
  public List<String> corpus() {
    List<String> corpus = new ArrayList<>();
    for (BreastSample b : split("train", false)) {
      corpus.add(ReportTemplate.render(b.facts(), MetaMasking.none()));
    }
    corpus.add(ReportTemplate.UNKNOWN);
    return corpus;
  }

  /** Tokens of the longest report (with [CLS] and [SEP]), to size the text encoder. */
  public int longestReport(Tokenizer tokenizer) {
    int max = 2;
    for (BreastSample b : breasts) {
      max = Math.max(max, tokenizer.length(ReportTemplate.render(b.facts(), MetaMasking.none())));
    }
    return max;
  }
}
