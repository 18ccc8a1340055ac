package org.mammotriage.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.contract.domain.ValidatedDomain;
import org.mammotriage.schemas.avro.ExamScore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift monitoring in the stream (issue 20): per source (calling AE, and manufacturer/model) the
 * last {@code windowExams} released exams are compared with the active model's validation reference
 * ({@link DriftStats}); Prometheus gauges {@code mammotriage_drift_psi{source,statistic}}, {@code
 * mammotriage_drift_ood_rate{source}}, {@code mammotriage_drift_exams{source}} and {@code
 * mammotriage_drift_alert{source}} (1 while any PSI is above the threshold); one WARN log line when
 * a source's PSI crosses the threshold upwards and one INFO line when it is back below. Nothing is
 * computed for a source before {@code minExams} exams; at most {@code maxSources} sources are
 * tracked (later ones are counted under {@code other}). The windows are in memory: a restart or a
 * model change starts them again. Thread-safe.
 */
public final class DriftMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

  /** Window, minimum, threshold and source cap. */
  public record Settings(int windowExams, int minExams, double psiThreshold, int maxSources) {
    public static Settings defaults() {
      return new Settings(200, 30, DriftStats.DEFAULT_PSI_THRESHOLD, 200);
    }
  }

  private final MeterRegistry registry;
  private final Settings settings;
  private final Map<String, ArrayDeque<ExamScore>> windows = new LinkedHashMap<>();

  /** Per source, the counts of its window's exams (updated as exams enter and leave it). */
  private final Map<String, DriftStats.Window> counts = new HashMap<>();

  private final Map<String, double[]> gauges = new HashMap<>();
  private final Map<String, Boolean> above = new HashMap<>();
  private final Map<String, DriftStats.Figures> last = new LinkedHashMap<>();
  private String modelId;

  public DriftMonitor(MeterRegistry registry, Settings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** Adds a released exam's score record; the model's domain gives the reference. */
  public synchronized void record(ExamScore e, String model, ValidatedDomain domain) {
    DriftReference ref = domain == null ? null : domain.reference();
    if (ref == null) {
      return;
    }
    if (!model.equals(modelId)) {
      windows.clear();
      counts.clear();
      last.clear();
      above.clear();
      modelId = model;
    }
    for (String source : DriftStats.sources(e)) {
      String key =
          windows.containsKey(source) || windows.size() < settings.maxSources()
              ? source
              : source.substring(0, source.indexOf(':') + 1) + "other";
      ArrayDeque<ExamScore> w = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
      DriftStats.Window c = counts.get(key);
      if (c == null || c.reference() != ref) { // a new source, or the model's domain was reloaded
        c = new DriftStats.Window(ref);
        w.forEach(c::add);
        counts.put(key, c);
      }
      w.addLast(e);
      c.add(e);
      while (w.size() > settings.windowExams()) {
        c.remove(w.removeFirst());
      }
      gauge("mammotriage_drift_exams", key, null)[0] = w.size();
      if (w.size() < settings.minExams()) {
        continue;
      }
      DriftStats.Figures f = c.figures();
      last.put(key, f);
      gauge("mammotriage_drift_ood_rate", key, null)[0] = f.oodRate();
      boolean any = false;
      for (Map.Entry<String, Double> p : f.psi().entrySet()) {
        gauge("mammotriage_drift_psi", key, p.getKey())[0] = p.getValue();
        boolean up = f.drifted(p.getKey(), settings.psiThreshold());
        any |= up;
        String ak = key + "|" + p.getKey();
        boolean was = above.getOrDefault(ak, false);
        if (up && !was) {
          LOG.warn(
              String.format(
                  Locale.ROOT,
                  "drift: source %s %s PSI %.3f > %.2f (+ %.3f sampling allowance) over its last"
                      + " %d exams (out of domain %.1f%%); compare with the model's validation"
                      + " reference (mammotriage drift)",
                  key,
                  p.getKey(),
                  p.getValue(),
                  settings.psiThreshold(),
                  f.allowance().getOrDefault(p.getKey(), 0.0),
                  f.exams(),
                  100 * f.oodRate()));
        } else if (!up && was) {
          LOG.info(
              String.format(
                  Locale.ROOT,
                  "drift: source %s %s PSI %.3f back at or below %.2f + its allowance",
                  key,
                  p.getKey(),
                  p.getValue(),
                  settings.psiThreshold()));
        }
        above.put(ak, up);
      }
      gauge("mammotriage_drift_alert", key, null)[0] = any ? 1 : 0;
    }
  }

  /** The latest figures per source (sources with at least {@code minExams} exams). */
  public synchronized Map<String, DriftStats.Figures> figures() {
    return new LinkedHashMap<>(last);
  }

  /** Whether the source has any statistic above the threshold now. */
  public synchronized boolean alert(String source) {
    return above.entrySet().stream()
        .anyMatch(e -> e.getKey().startsWith(source + "|") && e.getValue());
  }

  private double[] gauge(String name, String source, String statistic) {
    String k = name + "|" + source + "|" + statistic;
    return gauges.computeIfAbsent(
        k,
        x -> {
          double[] holder = {Double.NaN};
          int colon = source.indexOf(':');
          Tags tags =
              Tags.of(
                  "source_kind", source.substring(0, colon), "source", source.substring(colon + 1));
          if (statistic != null) {
            tags = tags.and("statistic", statistic);
          }
          registry.gauge(name, tags, holder, h -> h[0]);
          return holder;
        });
  }
}
