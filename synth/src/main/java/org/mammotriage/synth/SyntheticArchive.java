package org.mammotriage.synth;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A deterministic generator of synthetic screening archives: patients with 1–3 exams, four views
 * per exam as valid MG DICOM (For Presentation), and the truth in the training-manifest format. The
 * same options (seed included) give byte-identical output. Output layout (under the folder given to
 * {@link #generate}):
 *
 * <pre>
 *   &lt;accession&gt;/L_CC.dcm, L_MLO.dcm, R_CC.dcm, R_MLO.dcm, ... one folder per study
 *   manifest.csv   one row per slotted image (the training manifest, DESIGN §6)
 *   truth.csv      one row per breast per exam, with lesion positions in both views
 *   faults.csv     with faults on: which file has which fault and what ingest must do with it
 *   preview/       with preview on: a contact sheet PNG per exam
 * </pre>
 */
public final class SyntheticArchive {
  static final String[] SLOTS = {"L_CC", "L_MLO", "R_CC", "R_MLO"};
  public static final String MANIFEST_HEADER =
      "patient_id,study_uid,sop_uid,laterality,view,image_path,age,density,birads,"
          + "mass,calcification,malignant,years_to_cancer,years_to_last_followup,split,manufacturer,exam_date";

  /**
   * Benchmark v2's manifest: the same columns plus what the simulated reader wrote (mass and
   * calcification 1/0, or -1 with the findings section missing; BI-RADS and density blank when
   * missing). Training builds the report text from these; the probes use the truth columns.
   */
  public static final String MANIFEST_HEADER_V2 =
      MANIFEST_HEADER + ",report_mass,report_calcification,report_birads,report_density";

  public static final String TRUTH_HEADER =
      "patient_id,study_uid,accession,exam_date,laterality,age,density,birads,mass,"
          + "calcification,malignant,years_to_cancer,years_to_last_followup,split,lesion_type,lesion_distance_mm,"
          + "lesion_cc_x,lesion_cc_y,lesion_mlo_x,lesion_mlo_y";
  public static final String FAULTS_HEADER = "file,fault,expected_action,expected_reason,note";

  private final SynthOptions options;
  private Consumer<String> progress = s -> {};

  private SyntheticArchive(SynthOptions options) {
    this.options = options;
  }

  public static SyntheticArchive of(SynthOptions options) {
    return new SyntheticArchive(options);
  }

  /** Receives periodic progress lines (rate, ETA). */
  public SyntheticArchive onProgress(Consumer<String> sink) {
    this.progress = sink;
    return this;
  }

  public SynthOptions options() {
    return options;
  }

  /** What was generated and how fast. */
  public record Summary(
      int patients,
      int studies,
      int images,
      long bytes,
      double seconds,
      Map<Fault, Integer> faults) {
    public double imagesPerSecond() {
      return images / Math.max(1e-9, seconds);
    }

    public double megabytesPerSecond() {
      return bytes / 1e6 / Math.max(1e-9, seconds);
    }
  }

  /** The cohort without images (fast): for tests of proportions and for planning. */
  public List<Patient> cohort() {
    return CohortModel.patients(options);
  }

  public Summary generate(Path out) throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    List<Patient> patients = cohort();
    List<StudyJob> jobs = plan(patients);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "synth");
              t.setDaemon(true);
              return t;
            });
    AtomicInteger done = new AtomicInteger();
    List<Future<StudyOutput>> futures = new ArrayList<>();
    for (StudyJob job : jobs) {
      futures.add(
          pool.submit(
              () -> {
                StudyOutput o = new StudyWriter(options, out, job).write();
                int n = done.incrementAndGet();
                if (n % Math.max(1, jobs.size() / 20) == 0 || n == jobs.size()) {
                  double secs = (System.nanoTime() - t0) / 1e9;
                  double rate = n / secs;
                  progress.accept(
                      String.format(
                          Locale.ROOT,
                          "synth: %d/%d studies (%.0f%%) %.2f studies/s, ETA %.0f s",
                          n,
                          jobs.size(),
                          100.0 * n / jobs.size(),
                          rate,
                          (jobs.size() - n) / rate));
                }
                return o;
              }));
    }
    List<StudyOutput> outputs = new ArrayList<>();
    try {
      for (Future<StudyOutput> f : futures) {
        outputs.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("generating a study failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    Map<Fault, Integer> faultCounts = new EnumMap<>(Fault.class);
    int images = 0;
    long bytes = 0;
    try (Writer m = Files.newBufferedWriter(out.resolve("manifest.csv"));
        Writer t = Files.newBufferedWriter(out.resolve("truth.csv"))) {
      m.write((options.v2() ? MANIFEST_HEADER_V2 : MANIFEST_HEADER) + "\n");
      t.write(TRUTH_HEADER + "\n");
      for (StudyOutput o : outputs) {
        for (String row : o.manifestRows()) {
          m.write(row + "\n");
        }
        for (String row : o.truthRows()) {
          t.write(row + "\n");
        }
        images += o.images();
        bytes += o.bytes();
      }
    }
    if (options.faults()) {
      try (Writer f = Files.newBufferedWriter(out.resolve("faults.csv"))) {
        f.write(FAULTS_HEADER + "\n");
        for (StudyOutput o : outputs) {
          for (String row : o.faultRows()) {
            f.write(row + "\n");
          }
        }
      }
      for (StudyJob j : jobs) {
        if (j.fault() != null) {
          faultCounts.merge(j.fault(), 1, Integer::sum);
        }
      }
    }
    return new Summary(
        patients.size(), jobs.size(), images, bytes, (System.nanoTime() - t0) / 1e9, faultCounts);
  }

  /**
   * One study to write, with the fault it gets (null for none). Decided in study order, so
   * deterministic.
   */
  record StudyJob(int patientIndex, Patient patient, Exam exam, Fault fault) {}

  private List<StudyJob> plan(List<Patient> patients) {
    List<StudyJob> jobs = new ArrayList<>();
    int faulted = 0;
    Fault[] all = Fault.values();
    for (int i = 0; i < patients.size(); i++) {
      Patient p = patients.get(i);
      for (Exam e : p.exams()) {
        Fault f = null;
        if (options.faults()) {
          SplittableRandom r = CohortModel.streamFor(options.seed(), i, 1000 + e.index());
          if (r.nextDouble() < options.faultShare()) {
            f = all[faulted++ % all.length];
          }
        }
        jobs.add(new StudyJob(i, p, e, f));
      }
    }
    return jobs;
  }

  /** The rows and counts one study contributed. */
  record StudyOutput(
      List<String> manifestRows,
      List<String> truthRows,
      List<String> faultRows,
      int images,
      long bytes) {}

  static String csv(Object... v) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      Object o = v[i];
      if (o == null) {
        continue;
      }
      String s = o instanceof Double d ? String.format(Locale.ROOT, "%.2f", d) : o.toString();
      if (s.contains(",") || s.contains("\"")) {
        s = '"' + s.replace("\"", "\"\"") + '"';
      }
      sb.append(s);
    }
    return sb.toString();
  }

  static LocalDateTime acquisitionStart(Exam e, SplittableRandom r) {
    return e.date().atTime(8 + r.nextInt(9), r.nextInt(60), r.nextInt(60));
  }

  static void writeDicom(AttributeList l, Path file) {
    try {
      MgDicomWriter.write(l, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (DicomException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
