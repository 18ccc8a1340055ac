package org.mammotriage.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mammotriage.report.HtmlReport;
import org.mammotriage.report.SvgPlot;

/**
 * What one {@code ./run bench ...} command measured, kept as it is printed and written at the end
 * as {@code <name>.json} and {@code <name>.html} (tables and plots: each ratio with its interval
 * against its goal, each run in the order run, where the CPU went) in the report folder. The
 * benches add to the command's report ({@link #current()}); a bench run outside a command (a test)
 * adds to a report nobody writes.
 *
 * <p>Every figure comes with what it is a ratio of, its interval or range and how that was made,
 * the goal and the verdict the bench printed, so that the JSON can be checked against the console
 * and compared across machines and commits; the machine and the date are part of it (issue #24:
 * "results table ... with the machine and date").
 */
final class BenchReport {
  /**
   * One figure: a value, optionally the ends of its interval (or range) and what they are, the goal
   * as text with the line to draw for it, and the verdict as printed.
   */
  record Measure(
      String section,
      String name,
      double value,
      Double lower,
      Double upper,
      String interval,
      String unit,
      String goal,
      Double goalLine,
      String verdict) {
    Measure {
      Objects.requireNonNull(section, "section");
      Objects.requireNonNull(name, "name");
      if ((lower == null) != (upper == null)) {
        throw new IllegalArgumentException(name + ": give both ends of the interval or neither");
      }
    }
  }

  /** A figure measured once a run, in the order the runs were made (one line a series). */
  record Runs(
      String section,
      String title,
      String unit,
      Map<String, double[]> series,
      List<Double> goals) {}

  /** Where something went, part by part (e.g. CPU ms an exam), for one or more settings. */
  record Breakdown(
      String section, String title, String unit, List<String> parts, Map<String, double[]> by) {}

  private static volatile BenchReport current = new BenchReport("unsaved", "");

  private final String name;
  private final String command;
  private final OffsetDateTime started = OffsetDateTime.now(ZoneOffset.UTC);
  private final List<Measure> measures = new ArrayList<>();
  private final List<Runs> runs = new ArrayList<>();
  private final List<Breakdown> breakdowns = new ArrayList<>();
  private final Map<String, List<String>> notes = new LinkedHashMap<>();
  private final Map<String, String> setup = new LinkedHashMap<>();

  BenchReport(String name, String command) {
    this.name = Objects.requireNonNull(name, "name");
    this.command = Objects.requireNonNull(command, "command");
  }

  /** Starts the report of a command; the benches it runs add to it. */
  static BenchReport begin(String name, String command) {
    BenchReport r = new BenchReport(name, command);
    current = r;
    return r;
  }

  /** The report of the command running (a report nobody writes outside a command). */
  static BenchReport current() {
    return current;
  }

  String name() {
    return name;
  }

  synchronized List<Measure> measures() {
    return List.copyOf(measures);
  }

  /** A ratio or other figure with its goal and verdict (no interval). */
  synchronized BenchReport measure(
      String section,
      String name,
      double value,
      String unit,
      String goal,
      Double goalLine,
      String verdict) {
    return measure(section, name, value, null, null, null, unit, goal, goalLine, verdict);
  }

  /** A figure with its interval or range ({@code interval} says which). */
  synchronized BenchReport measure(
      String section,
      String name,
      double value,
      Double lower,
      Double upper,
      String interval,
      String unit,
      String goal,
      Double goalLine,
      String verdict) {
    measures.add(
        new Measure(section, name, value, lower, upper, interval, unit, goal, goalLine, verdict));
    return this;
  }

  /** Each run's figure of some settings, in run order, and the goal line (null: none). */
  synchronized BenchReport runs(
      String section, String title, String unit, Map<String, double[]> series, Double goal) {
    return addRuns(section, title, unit, series, goal == null ? List.of() : List.of(goal));
  }

  /** As {@link #runs(String, String, String, Map, Double)} with a goal band's two ends drawn. */
  synchronized BenchReport runs(
      String section,
      String title,
      String unit,
      Map<String, double[]> series,
      double lo,
      double hi) {
    return addRuns(section, title, unit, series, List.of(lo, hi));
  }

  private synchronized BenchReport addRuns(
      String section, String title, String unit, Map<String, double[]> series, List<Double> goals) {
    Map<String, double[]> copy = new LinkedHashMap<>();
    series.forEach((k, v) -> copy.put(k, v.clone()));
    runs.add(new Runs(section, title, unit, copy, goals));
    return this;
  }

  /** Parts of a whole for one or more settings (missing parts: 0). */
  synchronized BenchReport breakdown(
      String section, String title, String unit, Map<String, Map<String, Double>> bySetting) {
    LinkedHashSet<String> parts = new LinkedHashSet<>();
    bySetting.values().forEach(m -> parts.addAll(m.keySet()));
    List<String> p = List.copyOf(parts);
    Map<String, double[]> by = new LinkedHashMap<>();
    bySetting.forEach(
        (setting, m) -> {
          double[] v = new double[p.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = m.getOrDefault(p.get(i), 0.0);
          }
          by.put(setting, v);
        });
    breakdowns.add(new Breakdown(section, title, unit, p, by));
    return this;
  }

  /** A line of text under a section (what was measured, how, a caveat). */
  synchronized BenchReport note(String section, String text) {
    notes.computeIfAbsent(section, k -> new ArrayList<>()).add(text);
    return this;
  }

  /** A fact of the set-up (the data, the JVM's collectors, the model). */
  synchronized BenchReport setup(String key, String value) {
    setup.put(key, value);
    return this;
  }

  /** The machine the figures were measured on. */
  static Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
    if (!mem.isEmpty()) {
      try {
        long kb = Long.parseLong(mem.replaceAll("[^0-9]", ""));
        mem = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
      } catch (NumberFormatException e) {
        // keep the text
      }
    }
    m.put("memory", mem);
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put(
        "java",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.version")
            + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024)
            + " MiB");
    return m;
  }

  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(key)) {
          int i = line.indexOf(':');
          return i < 0 ? "" : line.substring(i + 1).trim();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // not Linux: leave it out
    }
    return "";
  }

  /** The report as JSON (what {@link #write} puts in {@code <name>.json}). */
  synchronized ObjectNode json() {
    ObjectMapper om = new ObjectMapper();
    ObjectNode root = om.createObjectNode();
    root.put("bench", name);
    root.put("command", command);
    root.put("started", started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    ObjectNode mach = root.putObject("machine");
    machine().forEach(mach::put);
    ObjectNode set = root.putObject("setup");
    setup.forEach(set::put);
    ArrayNode ms = root.putArray("measures");
    for (Measure m : measures) {
      ObjectNode n = ms.addObject();
      n.put("section", m.section());
      n.put("name", m.name());
      putNumber(n, "value", m.value());
      if (m.lower() != null) {
        putNumber(n, "lower", m.lower());
        putNumber(n, "upper", m.upper());
        n.put("interval", m.interval());
      }
      if (m.unit() != null) {
        n.put("unit", m.unit());
      }
      if (m.goal() != null) {
        n.put("goal", m.goal());
      }
      if (m.verdict() != null) {
        n.put("verdict", m.verdict());
      }
    }
    ArrayNode rs = root.putArray("runs");
    for (Runs r : runs) {
      ObjectNode n = rs.addObject();
      n.put("section", r.section());
      n.put("title", r.title());
      n.put("unit", r.unit());
      if (!r.goals().isEmpty()) {
        ArrayNode g = n.putArray("goal");
        r.goals().forEach(g::add);
      }
      ObjectNode s = n.putObject("series");
      r.series()
          .forEach(
              (k, v) -> {
                ArrayNode a = s.putArray(k);
                for (double d : v) {
                  if (Double.isFinite(d)) {
                    a.add(d);
                  } else {
                    a.addNull();
                  }
                }
              });
    }
    ArrayNode bs = root.putArray("breakdowns");
    for (Breakdown b : breakdowns) {
      ObjectNode n = bs.addObject();
      n.put("section", b.section());
      n.put("title", b.title());
      n.put("unit", b.unit());
      ObjectNode by = n.putObject("by");
      b.by()
          .forEach(
              (setting, v) -> {
                ObjectNode o = by.putObject(setting);
                for (int i = 0; i < v.length; i++) {
                  putNumber(o, b.parts().get(i), v[i]);
                }
              });
    }
    ObjectNode ns = root.putObject("notes");
    notes.forEach(
        (k, v) -> {
          ArrayNode a = ns.putArray(k);
          v.forEach(a::add);
        });
    return root;
  }

  private static void putNumber(ObjectNode n, String k, double v) {
    if (Double.isFinite(v)) {
      n.put(k, v);
    } else {
      n.putNull(k);
    }
  }

  /** The report as a self-contained HTML page. */
  synchronized String html() {
    HtmlReport r = new HtmlReport("MammoTriage bench " + name);
    r.paragraph(
        "Each figure is a ratio against a baseline measured in the same command on the same"
            + " machine, with its goal and the verdict the bench printed. An interval is said"
            + " with how it was made; a verdict is given only when the whole interval is on one"
            + " side of the goal.");
    Map<String, Object> head = new LinkedHashMap<>();
    head.put("command", command);
    head.put("started (UTC)", started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
    machine().forEach(head::put);
    head.putAll(setup);
    r.keyValues(head);
    if (!measures.isEmpty()) {
      r.heading("Figures, goals and verdicts");
      List<List<Object>> rows = new ArrayList<>();
      for (Measure m : measures) {
        rows.add(
            List.of(
                m.section(),
                m.name(),
                fmt(m.value()) + (m.unit() == null ? "" : " " + m.unit()),
                m.lower() == null
                    ? ""
                    : "[" + fmt(m.lower()) + ", " + fmt(m.upper()) + "] " + m.interval(),
                m.goal() == null ? "" : m.goal(),
                m.verdict() == null ? "" : m.verdict()));
      }
      r.table(List.of("bench", "figure", "value", "interval", "goal", "verdict"), rows);
    }
    LinkedHashSet<String> sections = new LinkedHashSet<>();
    measures.forEach(m -> sections.add(m.section()));
    runs.forEach(x -> sections.add(x.section()));
    breakdowns.forEach(x -> sections.add(x.section()));
    sections.addAll(notes.keySet());
    for (String section : sections) {
      r.heading(section);
      ratioChart(r, section);
      for (Runs x : runs) {
        if (x.section().equals(section)) {
          runsChart(r, x);
        }
      }
      for (Breakdown b : breakdowns) {
        if (b.section().equals(section)) {
          List<String> labels = new ArrayList<>();
          for (String part : b.parts()) {
            int paren = part.indexOf(" (");
            labels.add(shortName(paren > 0 ? part.substring(0, paren) : part));
          }
          SvgPlot.BarBuilder bars =
              SvgPlot.bars()
                  .setTitle(b.title())
                  .setCategories(labels)
                  .optYLabel(b.unit())
                  .optSize(Math.min(1000, Math.max(640, 120 * b.parts().size() + 200)), 320);
          b.by().forEach(bars::addSeries);
          r.chart(bars.build(), b.title() + " (" + b.unit() + ")");
          List<String> header = new ArrayList<>();
          header.add("part");
          header.addAll(b.by().keySet());
          List<List<Object>> rows = new ArrayList<>();
          for (int i = 0; i < b.parts().size(); i++) {
            List<Object> row = new ArrayList<>();
            row.add(b.parts().get(i));
            for (double[] v : b.by().values()) {
              row.add(fmt(v[i]));
            }
            rows.add(row);
          }
          List<Object> total = new ArrayList<>();
          total.add("total");
          for (double[] v : b.by().values()) {
            double t = 0;
            for (double x : v) {
              t += Double.isFinite(x) ? x : 0;
            }
            total.add(fmt(t));
          }
          rows.add(total);
          r.table(header, rows);
        }
      }
      for (String n : notes.getOrDefault(section, List.of())) {
        r.paragraph(n);
      }
    }
    return r.render();
  }

  /**
   * The section's figures that have a goal line, as bars with their intervals and the goal: one
   * chart per goal line, so that figures with different goals are not drawn against one line.
   */
  private void ratioChart(HtmlReport r, String section) {
    Map<Double, List<Measure>> byGoal = new LinkedHashMap<>();
    for (Measure m : measures) {
      if (m.section().equals(section) && m.goalLine() != null && Double.isFinite(m.value())) {
        byGoal.computeIfAbsent(m.goalLine(), k -> new ArrayList<>()).add(m);
      }
    }
    byGoal.forEach(
        (goal, ms) -> {
          List<String> names = distinctTails(ms.stream().map(Measure::name).toList());
          double[] v = new double[ms.size()];
          double[] lo = new double[ms.size()];
          double[] hi = new double[ms.size()];
          for (int i = 0; i < ms.size(); i++) {
            Measure m = ms.get(i);
            v[i] = m.value();
            lo[i] = m.lower() != null ? m.lower() : Double.NaN;
            hi[i] = m.upper() != null ? m.upper() : Double.NaN;
          }
          SvgPlot.BarBuilder bars =
              SvgPlot.bars()
                  .setTitle(section + ": against the goal " + ms.get(0).goal())
                  .setCategories(names)
                  .optYLabel("ratio")
                  .optSize(Math.max(640, 150 * names.size() + 200), 320)
                  .addSeries("measured", v, lo, hi)
                  .optReferenceLine(goal, "goal " + fmt(goal));
          r.chart(
              bars.build(),
              "Bars: the figure; whiskers: its interval or range (see the table); dashed: the goal.");
        });
  }

  private static void runsChart(HtmlReport r, Runs x) {
    SvgPlot.LineBuilder line =
        SvgPlot.line().setTitle(x.title()).optXLabel("run, in the order run").optYLabel(x.unit());
    x.series()
        .forEach(
            (k, v) -> {
              double[] idx = new double[v.length];
              for (int i = 0; i < v.length; i++) {
                idx[i] = i + 1;
              }
              line.addSeries(shortName(k), idx, v);
            });
    for (double g : x.goals()) {
      line.optReferenceLine(g, "goal " + fmt(g));
    }
    r.chart(line.build(), x.title());
  }

  /**
   * Axis labels for figures whose names share a beginning ("decode + preprocess, Python/Java, A"
   * and "..., B"): the words after the shared part, so that the labels differ; shortened.
   */
  static List<String> distinctTails(List<String> names) {
    if (names.size() < 2) {
      return names.stream().map(BenchReport::shortName).toList();
    }
    String first = names.get(0);
    int common = first.length();
    for (String n : names) {
      int i = 0;
      while (i < Math.min(common, n.length()) && n.charAt(i) == first.charAt(i)) {
        i++;
      }
      common = i;
    }
    int cut = first.lastIndexOf(", ", common); // at a boundary the names share
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add(shortName(cut > 0 && cut + 2 < n.length() ? n.substring(cut + 2) : n));
    }
    return out;
  }

  private static String shortName(String s) {
    return s.length() <= 28 ? s : s.substring(0, 27).stripTrailing() + "…";
  }

  static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f", v);
  }

  /**
   * Writes {@code <name>.json} and {@code <name>.html} into {@code dir} (created), each atomically;
   * returns the HTML file.
   */
  synchronized Path write(Path dir) {
    try {
      HtmlReport.writeAtomically(
          dir.resolve(name + ".json"),
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json()));
      return HtmlReport.writeAtomically(dir.resolve(name + ".html"), html());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the bench report into " + dir + ": " + e.getMessage(), e);
    }
  }
}
