package org.mammotriage.streams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.schemas.avro.DomainView;
import org.mammotriage.schemas.avro.ExamScore;

/**
 * A source's recent exams against the model's validation reference ({@code model.json} {@code
 * domain.reference}): per statistic the counts over the reference's bins and the population
 * stability index (PSI, {@link DriftReference#psi}); the category shares (PSI over suspicious,
 * routine, low of the in-domain scorable exams, {@link #CATEGORY}) and the share of exams out of
 * domain. The streams' {@link DriftMonitor} and the {@code mammotriage drift} report compute the
 * same figures with this class.
 */
public final class DriftStats {
  /** The category-shares statistic. */
  public static final String CATEGORY = "category";

  /** The categories the reference shares cover. */
  public static final List<String> CATEGORIES = List.of("suspicious", "routine", "low");

  /** Above this PSI a source has drifted (the usual reading: > 0.2 is a significant shift). */
  public static final double DEFAULT_PSI_THRESHOLD = 0.2;

  private DriftStats() {}

  /**
   * @param exams how many exams the figures are over
   * @param counts per statistic: the source's counts over the reference bins (CATEGORY: over {@link
   *     #CATEGORIES})
   * @param psi per statistic (NaN where the source has no value of it)
   * @param oodRate share of exams with verdict OUT_OF_DOMAIN
   */
  public record Figures(
      int exams,
      Map<String, long[]> counts,
      Map<String, Double> psi,
      Map<String, Double> allowance,
      double oodRate) {
    /** The largest PSI (NaN when none). */
    public double maxPsi() {
      return psi.values().stream()
          .filter(v -> !Double.isNaN(v))
          .mapToDouble(Double::doubleValue)
          .max()
          .orElse(Double.NaN);
    }

    /** Whether the statistic's PSI is above {@code threshold} plus its sampling allowance. */
    public boolean drifted(String statistic, double threshold) {
      Double p = psi.get(statistic);
      return p != null && !p.isNaN() && p > threshold + allowance.getOrDefault(statistic, 0.0);
    }

    /** The statistics that drifted. */
    public java.util.List<String> drifted(double threshold) {
      return psi.keySet().stream().filter(k -> drifted(k, threshold)).toList();
    }
  }

  /**
   * The PSI an undrifted sample stays below with about 97.5 % probability: on equal distributions
   * PSI (a symmetrised KL divergence) times {@code 1/(1/n + 1/m)} is about χ² with {@code df = k −
   * 1} degrees of freedom (k bins, n source and m reference values), so the allowance is its mean
   * plus two standard deviations, {@code (df + 2·sqrt(2·df))(1/n + 1/m)}. A statistic drifts when
   * its PSI exceeds the threshold plus this, so that a small source is not flagged by its noise
   * alone.
   */
  public static double allowance(int bins, long n, long m) {
    if (n == 0 || m == 0) {
      return Double.NaN;
    }
    double df = bins - 1;
    return (df + 2 * Math.sqrt(2 * df)) * (1.0 / n + 1.0 / m);
  }

  public static Figures of(DriftReference ref, List<ExamScore> exams) {
    Window w = new Window(ref);
    exams.forEach(w::add);
    return w.figures();
  }

  /**
   * Counts over the reference's bins kept up to date as exams enter and leave a window, so the
   * figures of a window cost the bins, not the window's exams ({@link DriftMonitor} updates one per
   * released exam). Not thread-safe.
   */
  public static final class Window {
    private final DriftReference ref;
    private final Map<String, long[]> counts = new LinkedHashMap<>();
    private final long[] cats = new long[CATEGORIES.size()];
    private int exams;
    private int out;

    public Window(DriftReference ref) {
      this.ref = ref;
      ref.histograms().forEach((k, h) -> counts.put(k, h.emptyCounts()));
    }

    /** The reference the counts are over. */
    public DriftReference reference() {
      return ref;
    }

    /** Counts {@code e} in. */
    public void add(ExamScore e) {
      count(e, 1);
    }

    /** Counts {@code e} out again (an exam {@link #add}ed before). */
    public void remove(ExamScore e) {
      count(e, -1);
    }

    private void count(ExamScore e, int d) {
      exams += d;
      if ("OUT_OF_DOMAIN".equals(e.getDomainVerdict())) {
        out += d;
      }
      bin(ref, counts, DriftReference.SUSPICION, e.getSuspicion(), d);
      for (DomainView v : e.getDomainViews()) {
        bin(ref, counts, DriftReference.OOD_SCORE, v.getOodScore(), d);
        bin(ref, counts, DriftReference.IMAGE_MEAN, v.getInputMean(), d);
        bin(ref, counts, DriftReference.IMAGE_STD, v.getInputStd(), d);
      }
      int c = CATEGORIES.indexOf(scoreCategory(e));
      if (c >= 0) {
        cats[c] += d;
      }
    }

    /** The figures of the exams counted in now. */
    public Figures figures() {
      Map<String, long[]> copy = new LinkedHashMap<>();
      counts.forEach((k, v) -> copy.put(k, v.clone()));
      Map<String, Double> psi = new LinkedHashMap<>();
      Map<String, Double> allow = new LinkedHashMap<>();
      ref.histograms()
          .forEach(
              (k, h) -> {
                psi.put(k, DriftReference.psi(h.counts(), copy.get(k)));
                allow.put(k, allowance(h.counts().length, sum(copy.get(k)), sum(h.counts())));
              });
      if (!ref.categoryShares().isEmpty()) {
        long[] expected = new long[CATEGORIES.size()];
        for (int i = 0; i < expected.length; i++) {
          // shares as counts per 10 000, PSI only uses shares
          expected[i] =
              Math.round(10_000 * ref.categoryShares().getOrDefault(CATEGORIES.get(i), 0.0));
        }
        long[] c = cats.clone();
        copy.put(CATEGORY, c);
        psi.put(CATEGORY, DriftReference.psi(expected, c));
        long refExams =
            ref.histograms().containsKey(DriftReference.SUSPICION)
                ? sum(ref.histograms().get(DriftReference.SUSPICION).counts())
                : 10_000;
        allow.put(CATEGORY, allowance(CATEGORIES.size(), sum(c), refExams));
      }
      return new Figures(exams, copy, psi, allow, exams == 0 ? Double.NaN : out / (double) exams);
    }
  }

  static long sum(long[] c) {
    long t = 0;
    for (long v : c) {
      t += v;
    }
    return t;
  }

  /**
   * The category the exam's score gives (for an out-of-domain exam routed to its own category, the
   * score's category is not in the record: it counts as none).
   */
  static String scoreCategory(ExamScore e) {
    return e.getCategory();
  }

  private static void bin(
      DriftReference ref, Map<String, long[]> counts, String stat, Double v, int d) {
    DriftReference.Histogram h = ref.histograms().get(stat);
    if (h != null && v != null) {
      counts.get(stat)[h.bin(v)] += d;
    }
  }

  /**
   * The source keys of an exam: {@code ae:<calling AE>} and {@code vendor:<manufacturer>/<model>}.
   */
  public static List<String> sources(ExamScore e) {
    List<String> out = new ArrayList<>(2);
    out.add("ae:" + (e.getSourceAe() == null ? "unknown" : e.getSourceAe()));
    out.add(
        "vendor:"
            + (e.getManufacturer() == null ? "unknown" : e.getManufacturer())
            + "/"
            + (e.getManufacturerModel() == null ? "unknown" : e.getManufacturerModel()));
    return out;
  }
}
