package org.mammotriage.training.domain;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.contract.domain.InputStatistics;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.contract.domain.Range;
import org.mammotriage.contract.domain.ValidatedDomain;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;

/**
 * Computes a model's validated domain from a training manifest of DICOM images, running the model's
 * own {@code image_encoder.onnx}: header values and image statistics of the train and validation
 * splits, the OOD Gaussian fitted on the train split's embeddings and its threshold chosen on the
 * validation split at the stated per-view false-flag rate. Also measures the exam-level false
 * out-of-domain rate (any view flagged) on the test split.
 */
public final class DomainReferenceBuilder {

  /** One view as the domain sees it. */
  public record View(
      String split,
      String study,
      String manufacturer,
      String model,
      String intent,
      Double spacing,
      int rows,
      int cols,
      double mean,
      double std,
      float[] features,
      String slot,
      Map<String, float[]> outputs) {}

  /** The domain and what was measured on the test split. */
  public record Result(
      ValidatedDomain domain,
      int fitViews,
      int thresholdViews,
      int testExams,
      int testExamsFlagged,
      int testViews,
      int testViewsFlagged) {
    public double testExamFalseRate() {
      return testExams == 0 ? Double.NaN : testExamsFlagged / (double) testExams;
    }
  }

  private final double shrinkage;
  private final double falseFlagRate;
  private final List<OodFit.LayerSlice> slices;
  private final int featureDim;
  private int clusters = 1;

  /** Classes (k-means clusters) per layer, tied covariance (default 1: one Gaussian). */
  public DomainReferenceBuilder withClusters(int k) {
    this.clusters = k;
    return this;
  }

  /**
   * @param slices the layers of the encoder's {@code ood_features}, or null: one Gaussian on the
   *     embedding (the first method)
   * @param featureDim the length of {@code ood_features} (ignored when slices is null)
   */
  public DomainReferenceBuilder(
      double shrinkage, double falseFlagRate, List<OodFit.LayerSlice> slices, int featureDim) {
    this.shrinkage = shrinkage;
    this.falseFlagRate = falseFlagRate;
    this.slices = slices;
    this.featureDim = featureDim;
  }

  /** The first method: one Gaussian on the embedding. */
  public DomainReferenceBuilder(double shrinkage, double falseFlagRate) {
    this(shrinkage, falseFlagRate, null, 0);
  }

  public Result build(ImageEncoderRunner enc, TrainingManifest m, Consumer<String> progress)
      throws Exception {
    List<View> views = new ArrayList<>();
    Preprocessor pre = Preprocessor.defaults();
    int i = 0;
    for (ManifestRow r : m.rows()) {
      View v = view(enc, pre, m.resolve(r), r.split(), r.studyUid(), slices != null);
      views.add(
          new View(
              v.split(),
              v.study(),
              v.manufacturer(),
              v.model(),
              v.intent(),
              v.spacing(),
              v.rows(),
              v.cols(),
              v.mean(),
              v.std(),
              v.features(),
              r.laterality() + "_" + r.view(),
              r.split().equals("val") ? v.outputs() : Map.of()));
      if (++i % 200 == 0) {
        progress.accept("domain: " + i + "/" + m.rows().size() + " views encoded");
      }
    }
    Map<String, Double> suspicion = new LinkedHashMap<>();
    if (enc.manifest().encodesViews()) {
      Map<String, Map<String, Map<String, float[]>>> exams = new LinkedHashMap<>();
      for (View v : views) {
        if (v.split().equals("val")) {
          exams.computeIfAbsent(v.study(), k -> new LinkedHashMap<>()).put(v.slot(), v.outputs());
        }
      }
      // the stream reports calibrated suspicion: the reference must be in the same space
      // (suspicion is the max over breasts, and the calibration is monotone, so calibrating the max
      // is the max of the calibrated breasts)
      org.mammotriage.contract.Calibration cal = enc.manifest().calibration();
      try (ExamHeadRunner head = new ExamHeadRunner(enc.modelDir())) {
        for (Map.Entry<String, Map<String, Map<String, float[]>>> e : exams.entrySet()) {
          double raw = head.suspicion(e.getValue());
          suspicion.put(e.getKey(), cal == null ? raw : cal.apply(raw));
        }
      }
    }
    return fromViews(views, enc.manifest(), m.file().getFileName().toString(), suspicion);
  }

  /** One DICOM view: header, working-image statistics, embedding. */
  public static View view(
      ImageEncoderRunner enc,
      Preprocessor pre,
      Path dicom,
      String split,
      String study,
      boolean layered)
      throws Exception {
    AttributeList l = new AttributeList();
    l.read(dicom.toFile());
    WorkingImage wi = pre.process(l);
    float[] x = enc.prepare(wi.gray(), wi.rows(), wi.cols());
    double[] ms =
        InputStatistics.ofPrepared(x, enc.manifest().normMean(), enc.manifest().normStd());
    Map<String, float[]> out = enc.runPrepared(x);
    if (layered && !out.containsKey(OodReference.FEATURES_OUTPUT)) {
      throw new IllegalArgumentException("the image encoder has no output ood_features");
    }
    double[] sp = Attribute.getDoubleValues(l, TagFromName.PixelSpacing);
    return new View(
        split,
        study,
        Attribute.getSingleStringValueOrEmptyString(l, TagFromName.Manufacturer),
        Attribute.getSingleStringValueOrEmptyString(l, TagFromName.ManufacturerModelName),
        Attribute.getSingleStringValueOrEmptyString(l, TagFromName.PresentationIntentType),
        sp == null || sp.length == 0 ? null : sp[0],
        Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Rows, 0),
        Attribute.getSingleIntegerValueOrDefault(l, TagFromName.Columns, 0),
        ms[0],
        ms[1],
        out.get(layered ? OodReference.FEATURES_OUTPUT : ModelManifest.EMBEDDING),
        "",
        out);
  }

  /** What the OOD reference reads: {@code ood_features} (layered) or the embedding. */
  public static float[] features(
      ImageEncoderRunner enc, byte[] gray, int rows, int cols, boolean layered) throws Exception {
    Map<String, float[]> out = enc.run(gray, rows, cols);
    if (layered && !enc.hasFeatures()) {
      throw new IllegalArgumentException("the image encoder has no output ood_features");
    }
    return out.get(layered ? OodReference.FEATURES_OUTPUT : ModelManifest.EMBEDDING);
  }

  /** Mean and standard deviation of an 8-bit image, in 0..1. */
  public static double[] meanStd(byte[] gray) {
    double s = 0;
    double s2 = 0;
    for (byte b : gray) {
      double v = (b & 0xff) / 255.0;
      s += v;
      s2 += v * v;
    }
    double mean = s / gray.length;
    return new double[] {mean, Math.sqrt(Math.max(0, s2 / gray.length - mean * mean))};
  }

  Result fromViews(
      List<View> views, ModelManifest model, String manifestName, Map<String, Double> suspicion) {
    List<View> ref = views.stream().filter(v -> !v.split().equals("test")).toList();
    List<float[]> fit =
        views.stream().filter(v -> v.split().equals("train")).map(View::features).toList();
    List<OodFit.ExamView> val =
        views.stream()
            .filter(v -> v.split().equals("val"))
            .map(v -> new OodFit.ExamView(v.study(), v.features()))
            .toList();
    long valExams = val.stream().map(OodFit.ExamView::exam).distinct().count();
    boolean layered = slices != null;
    String method = layered ? OodReference.MAHALANOBIS_LAYERS : OodReference.MAHALANOBIS;
    String input = layered ? OodReference.INPUT_FEATURES : OodReference.INPUT_EMBEDDING;
    int dim = layered ? featureDim : fit.get(0).length;
    List<OodFit.LayerSlice> ls =
        layered ? slices : List.of(new OodFit.LayerSlice(ModelManifest.EMBEDDING, 0, dim));
    String set =
        String.format(
            Locale.ROOT,
            "%s: per layer (%s) class-conditional Gaussians with a tied covariance (Lee et al."
                + " 2018; classes = up to %d k-means clusters of the layer's features) fitted on"
                + " the train split of %s (%d views), covariance shrinkage %.2f towards tr(S)/D·I;"
                + " distance to the nearest class mean; each layer's squared distance"
                + " divided by its median on the val split; a view's score = the largest scaled"
                + " layer distance; threshold = the %.4f quantile of the val split's %d exams'"
                + " highest view score (exam-level false-flag rate %.3f, %d views)",
            input,
            String.join(", ", ls.stream().map(OodFit.LayerSlice::name).toList()),
            clusters,
            manifestName,
            fit.size(),
            shrinkage,
            1 - falseFlagRate,
            valExams,
            falseFlagRate,
            val.size());
    OodReference ood =
        OodFit.fit(method, input, dim, ls, fit, val, shrinkage, clusters, falseFlagRate, set);
    Range spacing =
        range(ref.stream().filter(v -> v.spacing() != null).mapToDouble(View::spacing), 0.0);
    Range rowsR = range(ref.stream().mapToDouble(View::rows), 0.0);
    Range colsR = range(ref.stream().mapToDouble(View::cols), 0.0);
    Range meanR = range(ref.stream().mapToDouble(View::mean), 0.02);
    Range stdR = range(ref.stream().mapToDouble(View::std), 0.02);
    String how =
        "train + val splits of "
            + manifestName
            + " ("
            + ref.size()
            + " views): header values seen, min..max of spacing and size, min..max ± 0.02 of"
            + " the model input's mean and std gray (0..1: the working image area-resized to the"
            + " model size); OOD reference on "
            + set;
    DriftReference reference = reference(views, ood, model, suspicion, manifestName);
    ValidatedDomain noTest =
        new ValidatedDomain(
            distinct(ref, View::manufacturer),
            distinct(ref, View::model),
            distinct(ref, View::intent),
            spacing,
            rowsR,
            colsR,
            meanR,
            stdR,
            ood,
            reference,
            how);
    Map<String, Boolean> exams = new LinkedHashMap<>();
    Map<String, Boolean> examsAny = new LinkedHashMap<>();
    int tv = 0;
    int tvf = 0;
    for (View v : views) {
      if (v.split().equals("test")) {
        boolean out = ood.outOfDomain(v.features());
        boolean any =
            out
                || !noTest
                    .headerReasons(
                        v.manufacturer(), v.model(), v.intent(), v.spacing(), v.rows(), v.cols())
                    .isEmpty()
                || !noTest.imageReasons(v.mean(), v.std()).isEmpty();
        tv++;
        tvf += out ? 1 : 0;
        exams.merge(v.study(), out, Boolean::logicalOr);
        examsAny.merge(v.study(), any, Boolean::logicalOr);
      }
    }
    int flagged = (int) exams.values().stream().filter(b -> b).count();
    int flaggedAny = (int) examsAny.values().stream().filter(b -> b).count();
    String measured =
        String.format(
            Locale.ROOT,
            "; measured on the test split of %s: %d/%d exams out of domain (%.2f%%; OOD check"
                + " alone %d/%d exams, %d/%d views)",
            manifestName,
            flaggedAny,
            exams.size(),
            exams.isEmpty() ? Double.NaN : 100.0 * flaggedAny / exams.size(),
            flagged,
            exams.size(),
            tvf,
            tv);
    ValidatedDomain d =
        new ValidatedDomain(
            noTest.manufacturers(),
            noTest.manufacturerModels(),
            noTest.presentationIntents(),
            spacing,
            rowsR,
            colsR,
            meanR,
            stdR,
            ood,
            reference,
            how + measured);
    return new Result(d, fit.size(), val.size(), exams.size(), flaggedAny, tv, tvf);
  }

  /** The validation split's histograms and category shares (drift monitoring's reference). */
  static DriftReference reference(
      List<View> views,
      OodReference ood,
      ModelManifest model,
      Map<String, Double> suspicion,
      String manifestName) {
    List<View> val = views.stream().filter(v -> v.split().equals("val")).toList();
    Map<String, DriftReference.Histogram> hs = new LinkedHashMap<>();
    double[] sus = suspicion.values().stream().mapToDouble(Double::doubleValue).toArray();
    if (sus.length > 0) {
      hs.put(DriftReference.SUSPICION, DriftReference.Histogram.of(0, 1, 20, sus));
    }
    hs.put(
        DriftReference.OOD_SCORE,
        DriftReference.Histogram.of(
            0,
            2 * ood.threshold(),
            20,
            val.stream().mapToDouble(v -> ood.score(v.features())).toArray()));
    hs.put(
        DriftReference.IMAGE_MEAN,
        DriftReference.Histogram.of(0, 1, 25, val.stream().mapToDouble(View::mean).toArray()));
    hs.put(
        DriftReference.IMAGE_STD,
        DriftReference.Histogram.of(0, 0.5, 25, val.stream().mapToDouble(View::std).toArray()));
    Map<String, Double> shares = new LinkedHashMap<>();
    if (sus.length > 0) {
      var t = model.thresholds();
      long s = java.util.Arrays.stream(sus).filter(v -> v >= t.suspicious()).count();
      long l = java.util.Arrays.stream(sus).filter(v -> v < t.suspicious() && v < t.low()).count();
      shares.put("suspicious", s / (double) sus.length);
      shares.put("routine", (sus.length - s - l) / (double) sus.length);
      shares.put("low", l / (double) sus.length);
    }
    return new DriftReference(
        hs,
        shares,
        String.format(
            Locale.ROOT,
            "val split of %s: %d views (OOD score, model-input mean and std gray), %d exams"
                + " (suspicion from exam_head, category shares at the model's thresholds)",
            manifestName,
            val.size(),
            sus.length));
  }

  private static List<String> distinct(
      List<View> views, java.util.function.Function<View, String> f) {
    TreeSet<String> s = new TreeSet<>(Comparator.naturalOrder());
    views.forEach(v -> s.add(f.apply(v)));
    return List.copyOf(s);
  }

  private static Range range(java.util.stream.DoubleStream values, double margin) {
    var st = values.summaryStatistics();
    return st.getCount() == 0 ? null : new Range(st.getMin() - margin, st.getMax() + margin);
  }
}
