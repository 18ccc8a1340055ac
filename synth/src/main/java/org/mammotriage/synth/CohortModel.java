package org.mammotriage.synth;

import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws patients, their screening exams and outcomes. Time to cancer comes from an exponential
 * hazard {@code λ = base · exp(0.9·latent + 0.03·(age−55) + 0.3·(density−2.5))}; a configured share
 * of patients has a screen-detected cancer at their last exam (drawn as a lesion). Follow-up ends
 * at a censoring time; cancers after it are not observed. Every patient's draws come from its own
 * seeded stream, so the output is deterministic.
 */
final class CohortModel {
  static final double BASE_HAZARD_PER_YEAR = 0.02;
  private static final String[] FAMILY = {
    "SMITH",
    "GARCIA",
    "MUELLER",
    "ROSSI",
    "NOWAK",
    "SILVA",
    "JOHANSSON",
    "MARTIN",
    "KOWALSKI",
    "BROWN",
    "DUBOIS",
    "JANSEN",
    "NIELSEN",
    "HORVAT",
    "POPESCU",
    "OKAFOR",
    "TANAKA",
    "LEE"
  };
  private static final String[] GIVEN = {
    "ANNA", "MARIA", "ELENA", "SOPHIE", "JULIA", "LINDA", "GRACE", "NADIA", "EVA", "CLARA", "IRENE",
    "FATIMA", "HANNA", "ROSA", "MEI", "AMARA", "INGRID", "LUCIA"
  };

  private CohortModel() {}

  static List<Patient> patients(SynthOptions o) {
    List<Patient> out = new ArrayList<>(o.patients());
    for (int i = 0; i < o.patients(); i++) {
      out.add(patient(o, i));
    }
    return out;
  }

  static SplittableRandom streamFor(long seed, long a, long b) {
    long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
    return new SplittableRandom(h);
  }

  static String uid(SplittableRandom r) {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    b[6] = (byte) ((b[6] & 0x0f) | 0x40); // a version-4-style UUID, as 2.25 UIDs are meant to be
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    return "2.25." + new BigInteger(1, b);
  }

  private static Patient patient(SynthOptions o, int i) {
    SplittableRandom r = streamFor(o.seed(), i, 0);
    String id = String.format(Locale.ROOT, "MRN%07d", 1_000_000 + r.nextInt(8_999_999));
    String name = FAMILY[r.nextInt(FAMILY.length)] + "^" + GIVEN[r.nextInt(GIVEN.length)];
    int age0 = 40 + r.nextInt(33);
    LocalDate first = LocalDate.of(2014, 1, 1).plusDays(r.nextInt(1800));
    LocalDate birth = first.minusYears(age0).minusDays(r.nextInt(365));
    int density = pick(o.densityWeights(), r.nextDouble()) + 1;
    double latent = r.nextGaussian();
    String vendor = r.nextBoolean() ? "A" : "B";
    double split = r.nextDouble();
    String splitName =
        o.v2()
            ? (split < 0.55 ? "train" : split < 0.70 ? "val" : "test")
            : (split < 0.7 ? "train" : split < 0.85 ? "val" : "test");

    // v2: 1–2 exams, so more women (the unit of every CI) fit the same number of images
    int nExams = 1 + r.nextInt(o.v2() ? 2 : 3);
    double[] times = new double[nExams];
    for (int k = 1; k < nExams; k++) {
      times[k] = times[k - 1] + (r.nextBoolean() ? 1 : 2) + (r.nextDouble() - 0.5) * 0.1;
    }
    double censor = times[nExams - 1] + 1 + 5 * r.nextDouble();
    boolean screenDetected = r.nextDouble() < o.malignantShare();
    double cancerAt;
    if (screenDetected) {
      cancerAt = times[nExams - 1];
    } else {
      double hazard =
          BASE_HAZARD_PER_YEAR
              * Math.exp(0.9 * latent + 0.03 * (age0 - 55) + 0.3 * (density - 2.5));
      cancerAt = -Math.log(1 - r.nextDouble()) / hazard;
      // exams after a diagnosis between screens do not happen: the patient leaves screening
      while (nExams > 1 && times[nExams - 1] >= cancerAt) {
        nExams--;
      }
      if (times[0] >= cancerAt) {
        cancerAt =
            times[0]
                + 0.05
                + 0.9 * r.nextDouble(); // an interval cancer within a year of the only exam
      }
    }
    boolean observed = cancerAt <= censor;
    char cancerSide = r.nextBoolean() ? 'L' : 'R';

    // per-breast geometry and benign findings persist across exams
    BreastPlan left = BreastPlan.draw(r, o, 'L');
    BreastPlan right = BreastPlan.draw(r, o, 'R');
    Lesion cancer = screenDetected ? malignantLesion(r, cancerSide == 'L' ? left : right) : null;

    List<Exam> exams = new ArrayList<>();
    for (int k = 0; k < nExams; k++) {
      SplittableRandom er = streamFor(o.seed(), i, k + 1);
      String study = uid(er);
      String acc = String.format(Locale.ROOT, "A%09d", er.nextInt(1_000_000_000));
      LocalDate date = first.plusDays(Math.round(times[k] * 365.25));
      int age = age0 + (int) Math.floor(times[k]);
      double followupEnd = observed ? Math.min(cancerAt, censor) : censor;
      Breast lb =
          left.at(
              times[k],
              cancerAt,
              observed,
              followupEnd,
              cancerSide == 'L',
              k == nExams - 1 ? cancer : null,
              cancerSide == 'L');
      Breast rb =
          right.at(
              times[k],
              cancerAt,
              observed,
              followupEnd,
              cancerSide == 'R',
              k == nExams - 1 ? cancer : null,
              cancerSide == 'R');
      if (o.v2()) {
        lb = withV2(lb, CohortModel.streamFor(o.seed(), i, 9000 + 2L * k), density);
        rb = withV2(rb, CohortModel.streamFor(o.seed(), i, 9001 + 2L * k), density);
      }
      exams.add(new Exam(k, study, acc, date, age, lb, rb, splitName));
    }
    return new Patient(id, name, birth, density, latent, vendor, exams);
  }

  /** Benchmark v2: the reader's report and each view's variation, from the breast's own stream. */
  private static Breast withV2(Breast b, SplittableRandom r, int density) {
    BreastV2.ReaderReport report = BenchmarkV2.read(r, b.lesions(), density);
    BreastV2.ViewVariation[] v = BenchmarkV2.variations(r, b.lesions().size());
    return new Breast(
        b.laterality(),
        b.depthMm(),
        b.halfHeightMm(),
        b.lesions(),
        b.birads(),
        b.yearsToCancer(),
        b.yearsToLastFollowup(),
        new BreastV2(report, v[0], v[1], b.v2() == null ? List.of() : b.v2().landmarks()));
  }

  private static Lesion malignantLesion(SplittableRandom r, BreastPlan plan) {
    double u = r.nextDouble();
    Lesion.Type t = u < 0.7 ? Lesion.Type.MALIGNANT_MASS : Lesion.Type.MALIGNANT_CALCIFICATION;
    double radius =
        t == Lesion.Type.MALIGNANT_MASS ? 5 + 7 * r.nextDouble() : 5 + 4 * r.nextDouble();
    return plan.place(r, t, radius);
  }

  static int pick(double[] weights, double u) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i] / total;
      if (u < acc) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** A breast's persistent geometry and benign findings. */
  private record BreastPlan(
      char side,
      double depthMm,
      double halfHeightMm,
      List<Lesion> benign,
      List<BreastV2.Landmark> landmarks) {

    static BreastPlan draw(SplittableRandom r, SynthOptions o, char side) {
      double depth = 60 + 50 * r.nextDouble();
      double half = 62 + 26 * r.nextDouble();
      BreastPlan p = new BreastPlan(side, depth, half, new ArrayList<>(), new ArrayList<>());
      if (r.nextDouble() < o.benignMassShare()) {
        p.benign.add(p.place(r, Lesion.Type.BENIGN_MASS, 4 + 5 * r.nextDouble()));
      }
      if (r.nextDouble() < o.benignCalcShare()) {
        p.benign.add(p.place(r, Lesion.Type.BENIGN_CALCIFICATION, 3 + 3 * r.nextDouble()));
      }
      if (o.v2()) {
        p.landmarks.addAll(BenchmarkV2.landmarks(r, p::position));
      }
      return p;
    }

    /** A position inside the breast in both views and clear of the MLO pectoral muscle. */
    Lesion place(SplittableRandom r, Lesion.Type type, double radiusMm) {
      double[] at = position(r);
      return new Lesion(type, at[0], at[1], at[2], radiusMm, r.nextLong());
    }

    /** {depth, CC offset, MLO offset} in mm, clear of the pectoral wedge. */
    double[] position(SplittableRandom r) {
      for (int attempt = 0; ; attempt++) {
        double d = depthMm * (0.3 + 0.5 * r.nextDouble());
        double room = Math.sqrt(1 - Math.pow(d / depthMm, 2));
        double cc = (r.nextDouble() * 1.2 - 0.6) * halfHeightMm * room;
        double mloHalf = halfHeightMm * PhantomRenderer.MLO_HEIGHT_FACTOR;
        double mlo =
            (r.nextDouble() * 1.0 - 0.3) * mloHalf * room; // below the pectoral wedge (upper part)
        if (attempt > 50 || clearOfPectoral(d, mlo)) {
          return new double[] {d, cc, mlo};
        }
      }
    }

    private boolean clearOfPectoral(double d, double mloOffset) {
      // pectoral wedge: width 0.45·depth at the top, reaching 55% down the image; stay a radius
      // away
      return d > depthMm * 0.5 || mloOffset > 0;
    }

    Breast at(
        double t,
        double cancerAt,
        boolean observed,
        double followupEnd,
        boolean cancerHere,
        Lesion cancer,
        boolean cancerSide) {
      List<Lesion> lesions = new ArrayList<>(benign);
      if (cancer != null && cancerSide) {
        lesions.add(cancer);
      }
      Double ytc = observed && cancerHere ? Math.max(0, round2(cancerAt - t)) : null;
      boolean malignantNow = cancer != null && cancerSide;
      int birads =
          malignantNow
              ? (cancer.type() == Lesion.Type.MALIGNANT_MASS && cancer.radiusMm() > 8 ? 5 : 4)
              : benign.isEmpty() ? 1 : 2;
      return new Breast(
          side,
          depthMm,
          halfHeightMm,
          List.copyOf(lesions),
          birads,
          ytc,
          round2(followupEnd - t),
          landmarks.isEmpty() ? null : new BreastV2(null, null, null, List.copyOf(landmarks)));
    }

    private static double round2(double v) {
      return Math.round(v * 100) / 100.0;
    }
  }
}
