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
      float[] embedding) {}

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

  public DomainReferenceBuilder(double shrinkage, double falseFlagRate) {
    this.shrinkage = shrinkage;
    this.falseFlagRate = falseFlagRate;
  }

  public Result build(ImageEncoderRunner enc, TrainingManifest m, Consumer<String> progress)
      throws Exception {
    List<View> views = new ArrayList<>();
    Preprocessor pre = Preprocessor.defaults();
    int i = 0;
    for (ManifestRow r : m.rows()) {
      views.add(view(enc, pre, m.resolve(r), r.split(), r.studyUid()));
      if (++i % 200 == 0) {
        progress.accept("domain: " + i + "/" + m.rows().size() + " views encoded");
      }
    }
    return fromViews(views, enc.manifest(), m.file().getFileName().toString());
  }

  /** One DICOM view: header, working-image statistics, embedding. */
  public static View view(
      ImageEncoderRunner enc, Preprocessor pre, Path dicom, String split, String study)
      throws Exception {
    AttributeList l = new AttributeList();
    l.read(dicom.toFile());
    WorkingImage wi = pre.process(l);
    double[] ms = meanStd(wi.gray());
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
        enc.embed(wi.gray(), wi.rows(), wi.cols()));
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

  Result fromViews(List<View> views, ModelManifest model, String manifestName) {
    List<View> ref = views.stream().filter(v -> !v.split().equals("test")).toList();
    List<float[]> fit =
        views.stream().filter(v -> v.split().equals("train")).map(View::embedding).toList();
    List<float[]> val =
        views.stream().filter(v -> v.split().equals("val")).map(View::embedding).toList();
    String set =
        String.format(
            Locale.ROOT,
            "Gaussian fitted on the train split of %s (%d views), threshold = %.4f quantile of the"
                + " val split's %d views (per-view false-flag rate %.3f)",
            manifestName,
            fit.size(),
            1 - falseFlagRate,
            val.size(),
            falseFlagRate);
    OodReference ood = OodFit.fit(fit, val, shrinkage, falseFlagRate, set);
    ValidatedDomain d =
        new ValidatedDomain(
            distinct(ref, View::manufacturer),
            distinct(ref, View::model),
            distinct(ref, View::intent),
            range(ref.stream().filter(v -> v.spacing() != null).mapToDouble(View::spacing), 0.0),
            range(ref.stream().mapToDouble(View::rows), 0.0),
            range(ref.stream().mapToDouble(View::cols), 0.0),
            range(ref.stream().mapToDouble(View::mean), 0.02),
            range(ref.stream().mapToDouble(View::std), 0.02),
            ood,
            "train + val splits of "
                + manifestName
                + " ("
                + ref.size()
                + " views): header values seen, min..max of spacing and size, min..max ± 0.02 of"
                + " the working image's mean and std gray (0..1); "
                + set);
    Map<String, Boolean> exams = new LinkedHashMap<>();
    int tv = 0;
    int tvf = 0;
    for (View v : views) {
      if (v.split().equals("test")) {
        boolean out = ood.outOfDomain(v.embedding());
        tv++;
        tvf += out ? 1 : 0;
        exams.merge(v.study(), out, Boolean::logicalOr);
      }
    }
    int flagged = (int) exams.values().stream().filter(b -> b).count();
    return new Result(d, fit.size(), val.size(), exams.size(), flagged, tv, tvf);
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
