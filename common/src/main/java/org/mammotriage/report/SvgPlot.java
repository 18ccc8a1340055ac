package org.mammotriage.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Static inline-SVG charts for reports: line plots and grouped bar charts (with optional error
 * bars). No scripts, no external fonts or stylesheets, so a report opens offline.
 *
 * <pre>{@code
 * String svg = SvgPlot.line().setTitle("loss").optXLabel("step")
 *     .addSeries("clip", steps, losses).build().render();
 * }</pre>
 */
public final class SvgPlot {
  /** Colour-blind-safe palette (Okabe–Ito). */
  static final String[] PALETTE = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"
  };

  private static final int MARGIN_LEFT = 60;
  private static final int MARGIN_RIGHT = 130;
  private static final int MARGIN_TOP = 30;
  private static final int MARGIN_BOTTOM = 45;

  /** A line's points are marked when it has at most this many (runs, rounds; not loss curves). */
  private static final int MARKED_POINTS = 30;

  private SvgPlot() {}

  /** A builder for a line plot (one polyline per series, shared axes). */
  public static LineBuilder line() {
    return new LineBuilder();
  }

  /** A builder for a grouped bar chart (categories on x, one bar per series in each group). */
  public static BarBuilder bars() {
    return new BarBuilder();
  }

  /** One line: x and y of equal length. */
  public record Series(String name, double[] x, double[] y) {
    public Series {
      Objects.requireNonNull(name, "name");
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series " + name + ": x has " + x.length + " points, y has " + y.length);
      }
    }
  }

  /** A shaded band (e.g. a 95 % CI) drawn behind the line of the series with the same name. */
  public record Band(String series, double[] x, double[] lower, double[] upper) {
    public Band {
      Objects.requireNonNull(series, "series");
      if (x.length != lower.length || x.length != upper.length) {
        throw new IllegalArgumentException(
            "band " + series + ": x, lower and upper differ in length");
      }
    }
  }

  /**
   * One bar series: a value per category, optional lower/upper ends of an error bar (may be null).
   */
  public record BarSeries(String name, double[] values, double[] lower, double[] upper) {
    public BarSeries {
      Objects.requireNonNull(name, "name");
      if ((lower == null) != (upper == null)) {
        throw new IllegalArgumentException(
            "series " + name + ": give both lower and upper or neither");
      }
      if (lower != null && (lower.length != values.length || upper.length != values.length)) {
        throw new IllegalArgumentException(
            "series " + name + ": error bars must have one entry per value");
      }
    }
  }

  /**
   * A dashed horizontal line across the plot at {@code y} (e.g. a goal), labelled at its right end.
   */
  public record Reference(double y, String label) {
    public Reference {
      Objects.requireNonNull(label, "label");
      if (!Double.isFinite(y)) {
        throw new IllegalArgumentException(
            "reference line '" + label + "' at a non-finite y: " + y);
      }
    }
  }

  /** A chart ready to render. */
  public interface Chart {
    /** The chart as a standalone {@code <svg>} element. */
    String render();
  }

  /** Builder for line plots: {@code setTitle} required; labels, size and y range optional. */
  public static final class LineBuilder {
    private String title;
    private String xLabel = "";
    private String yLabel = "";
    private int width = 640;
    private int height = 320;
    private Double yMin;
    private Double yMax;
    private final List<Series> series = new ArrayList<>();
    private final List<Band> bands = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();

    /**
     * A dashed horizontal line at {@code y} with its label (e.g. a goal); the y axis includes it.
     */
    public LineBuilder optReferenceLine(double y, String label) {
      references.add(new Reference(y, label));
      return this;
    }

    public LineBuilder setTitle(String title) {
      this.title = title;
      return this;
    }

    public LineBuilder optXLabel(String label) {
      this.xLabel = label;
      return this;
    }

    public LineBuilder optYLabel(String label) {
      this.yLabel = label;
      return this;
    }

    public LineBuilder optSize(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    /** Fixes the y axis (e.g. 0..1 for AUC); otherwise it spans the data. */
    public LineBuilder optYRange(double min, double max) {
      this.yMin = min;
      this.yMax = max;
      return this;
    }

    public LineBuilder addSeries(String name, double[] x, double[] y) {
      series.add(new Series(name, x.clone(), y.clone()));
      return this;
    }

    /**
     * A line with a shaded band from {@code lower} to {@code upper} (e.g. its 95 % CI) in the
     * line's colour; points where a bound is not finite are left out of the band.
     */
    public LineBuilder addSeries(
        String name, double[] x, double[] y, double[] lower, double[] upper) {
      addSeries(name, x, y);
      bands.add(new Band(name, x.clone(), lower.clone(), upper.clone()));
      return this;
    }

    public Chart build() {
      if (title == null) {
        throw new IllegalStateException("line plot needs setTitle(...)");
      }
      if (series.isEmpty()) {
        throw new IllegalStateException(
            "line plot '" + title + "' has no series; call addSeries(...)");
      }
      if (width < 200 || height < 120) {
        throw new IllegalStateException(
            "line plot '" + title + "' is too small: " + width + "x" + height);
      }
      List<Series> copy = List.copyOf(series);
      List<Band> bandCopy = List.copyOf(bands);
      List<Reference> refs = List.copyOf(references);
      return () -> renderLine(this, copy, bandCopy, refs);
    }
  }

  /** Builder for grouped bars: {@code setTitle} and {@code setCategories} required. */
  public static final class BarBuilder {
    private String title;
    private String yLabel = "";
    private int width = 640;
    private int height = 320;
    private Double yMin;
    private Double yMax;
    private List<String> categories;
    private final List<BarSeries> series = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();

    /**
     * A dashed horizontal line at {@code y} with its label (e.g. a goal); the y axis includes it.
     */
    public BarBuilder optReferenceLine(double y, String label) {
      references.add(new Reference(y, label));
      return this;
    }

    public BarBuilder setTitle(String title) {
      this.title = title;
      return this;
    }

    public BarBuilder setCategories(List<String> categories) {
      this.categories = List.copyOf(categories);
      return this;
    }

    public BarBuilder optYLabel(String label) {
      this.yLabel = label;
      return this;
    }

    public BarBuilder optSize(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    public BarBuilder optYRange(double min, double max) {
      this.yMin = min;
      this.yMax = max;
      return this;
    }

    public BarBuilder addSeries(String name, double[] values) {
      series.add(new BarSeries(name, values.clone(), null, null));
      return this;
    }

    /** A series with error bars (e.g. a 95% CI) from {@code lower[i]} to {@code upper[i]}. */
    public BarBuilder addSeries(String name, double[] values, double[] lower, double[] upper) {
      series.add(new BarSeries(name, values.clone(), lower.clone(), upper.clone()));
      return this;
    }

    public Chart build() {
      if (title == null) {
        throw new IllegalStateException("bar chart needs setTitle(...)");
      }
      if (categories == null || categories.isEmpty()) {
        throw new IllegalStateException("bar chart '" + title + "' needs setCategories(...)");
      }
      if (series.isEmpty()) {
        throw new IllegalStateException(
            "bar chart '" + title + "' has no series; call addSeries(...)");
      }
      for (BarSeries s : series) {
        if (s.values().length != categories.size()) {
          throw new IllegalStateException(
              "bar series "
                  + s.name()
                  + " has "
                  + s.values().length
                  + " values for "
                  + categories.size()
                  + " categories");
        }
      }
      List<BarSeries> copy = List.copyOf(series);
      List<Reference> refs = List.copyOf(references);
      return () -> renderBars(this, copy, refs);
    }
  }

  private static String renderLine(
      LineBuilder b, List<Series> series, List<Band> bands, List<Reference> refs) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double dataMin = Double.POSITIVE_INFINITY;
    double dataMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
          continue;
        }
        xMin = Math.min(xMin, s.x()[i]);
        xMax = Math.max(xMax, s.x()[i]);
        dataMin = Math.min(dataMin, s.y()[i]);
        dataMax = Math.max(dataMax, s.y()[i]);
      }
    }
    if (!Double.isFinite(xMin)) {
      xMin = 0;
      xMax = 1;
      dataMin = 0;
      dataMax = 1;
    }
    for (Reference r : refs) {
      if (r.y() >= dataMax) { // room above the line for its label
        dataMax = r.y() + 0.08 * Math.max(r.y() - Math.min(dataMin, r.y()), 1e-9);
      }
      dataMin = Math.min(dataMin, r.y());
    }
    Axis x = new Axis(xMin, xMax, MARGIN_LEFT, b.width - MARGIN_RIGHT);
    Axis y =
        new Axis(
            b.yMin != null ? b.yMin : dataMin,
            b.yMax != null ? b.yMax : dataMax,
            b.height - MARGIN_BOTTOM,
            MARGIN_TOP);
    StringBuilder svg = open(b.width, b.height, b.title);
    frame(svg, x, y, b.width, b.height, b.xLabel, b.yLabel, true);
    for (Band band : bands) {
      int idx = 0;
      for (int i = 0; i < series.size(); i++) {
        if (series.get(i).name().equals(band.series())) {
          idx = i;
        }
      }
      StringBuilder upper = new StringBuilder();
      StringBuilder lower = new StringBuilder();
      for (int i = 0; i < band.x().length; i++) {
        if (Double.isFinite(band.x()[i])
            && Double.isFinite(band.lower()[i])
            && Double.isFinite(band.upper()[i])) {
          double px = x.map(band.x()[i]);
          upper.append(Xml.num(px)).append(',').append(Xml.num(y.map(band.upper()[i]))).append(' ');
          lower.insert(0, Xml.num(px) + "," + Xml.num(y.map(band.lower()[i])) + " ");
        }
      }
      if (upper.length() > 0) {
        svg.append("<polygon fill=\"")
            .append(PALETTE[idx % PALETTE.length])
            .append("\" fill-opacity=\"0.18\" stroke=\"none\" points=\"")
            .append((upper.toString() + lower).trim())
            .append("\"><title>")
            .append(Xml.escape(band.series() + " 95% CI"))
            .append("</title></polygon>\n");
      }
    }
    int k = 0;
    for (Series s : series) {
      String colour = PALETTE[k % PALETTE.length];
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          pts.append(Xml.num(x.map(s.x()[i])))
              .append(',')
              .append(Xml.num(y.map(s.y()[i])))
              .append(' ');
        }
      }
      svg.append("<polyline fill=\"none\" stroke=\"")
          .append(colour)
          .append("\" stroke-width=\"1.8\" points=\"")
          .append(pts.toString().trim())
          .append("\"><title>")
          .append(Xml.escape(s.name()))
          .append("</title></polyline>\n");
      if (pts.length() > 0 && s.x().length <= MARKED_POINTS) {
        for (int i = 0; i < s.x().length; i++) {
          if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"><title>%s: %s</title></circle>\n",
                    Xml.num(x.map(s.x()[i])),
                    Xml.num(y.map(s.y()[i])),
                    colour,
                    Xml.escape(s.name()),
                    Xml.escape(fmt(s.y()[i]))));
          }
        }
      }
      legend(svg, b.width, k, s.name(), colour);
      k++;
    }
    references(svg, x, y, refs); // over the data, so a bar or a line does not hide the goal
    return svg.append("</svg>\n").toString();
  }

  private static String renderBars(BarBuilder b, List<BarSeries> series, List<Reference> refs) {
    double lo = 0;
    double hi = Double.NEGATIVE_INFINITY;
    for (BarSeries s : series) {
      for (int i = 0; i < s.values().length; i++) {
        // the bar and its whisker both fit (a bar without an interval has NaN ends)
        if (Double.isFinite(s.values()[i])) {
          hi = Math.max(hi, s.values()[i]);
        }
        if (s.upper() != null && Double.isFinite(s.upper()[i])) {
          hi = Math.max(hi, s.upper()[i]);
        }
        if (Double.isFinite(s.values()[i])) {
          lo = Math.min(lo, s.values()[i]);
        }
      }
    }
    if (!Double.isFinite(hi)) {
      hi = 1;
    }
    for (Reference r : refs) {
      if (r.y() >= hi) { // room above the line for its label
        hi = r.y() + 0.08 * Math.max(r.y() - Math.min(lo, r.y()), 1e-9);
      }
      lo = Math.min(lo, r.y());
    }
    int n = b.categories.size();
    Axis y =
        new Axis(
            b.yMin != null ? b.yMin : lo,
            b.yMax != null ? b.yMax : hi,
            b.height - MARGIN_BOTTOM,
            MARGIN_TOP);
    Axis x = new Axis(0, n, MARGIN_LEFT, b.width - MARGIN_RIGHT);
    StringBuilder svg = open(b.width, b.height, b.title);
    frame(svg, x, y, b.width, b.height, "", b.yLabel, false);
    double group = (x.p1 - x.p0) / n;
    double barW = group * 0.8 / series.size();
    for (int c = 0; c < n; c++) {
      double gx = x.p0 + c * group;
      svg.append(
          text(gx + group / 2, b.height - MARGIN_BOTTOM + 16, b.categories.get(c), "middle", 11));
      for (int k = 0; k < series.size(); k++) {
        BarSeries s = series.get(k);
        double v = s.values()[c];
        if (!Double.isFinite(v)) {
          continue;
        }
        String colour = PALETTE[k % PALETTE.length];
        double bx = gx + group * 0.1 + k * barW;
        double y0 = y.map(Math.max(y.v0, Math.min(0, y.v1)));
        double yv = y.map(v);
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>%s %s: %s</title></rect>\n",
                Xml.num(bx),
                Xml.num(Math.min(y0, yv)),
                Xml.num(barW * 0.95),
                Xml.num(Math.abs(y0 - yv)),
                colour,
                Xml.escape(s.name()),
                Xml.escape(b.categories.get(c)),
                Xml.escape(fmt(v))));
        if (s.lower() != null && Double.isFinite(s.lower()[c]) && Double.isFinite(s.upper()[c])) {
          double cx = bx + barW * 0.475;
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<path d=\"M%s %sV%sM%s %sH%sM%s %sH%s\" stroke=\"#333\" stroke-width=\"1\"/>\n",
                  Xml.num(cx),
                  Xml.num(y.map(s.lower()[c])),
                  Xml.num(y.map(s.upper()[c])),
                  Xml.num(cx - 3),
                  Xml.num(y.map(s.lower()[c])),
                  Xml.num(cx + 3),
                  Xml.num(cx - 3),
                  Xml.num(y.map(s.upper()[c])),
                  Xml.num(cx + 3)));
        }
      }
    }
    for (int k = 0; k < series.size(); k++) {
      legend(svg, b.width, k, series.get(k).name(), PALETTE[k % PALETTE.length]);
    }
    references(svg, x, y, refs); // over the bars, so a bar does not hide the goal
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder open(int width, int height, String title) {
    StringBuilder svg = new StringBuilder(4096);
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" role=\"img\">\n",
            width,
            height,
            width,
            height));
    svg.append("<title>").append(Xml.escape(title)).append("</title>\n");
    svg.append(text(width / 2.0, 18, title, "middle", 14));
    return svg;
  }

  private static void frame(
      StringBuilder svg,
      Axis x,
      Axis y,
      int width,
      int height,
      String xLabel,
      String yLabel,
      boolean xTicks) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"#999\"/>\n",
            Xml.num(x.p0),
            Xml.num(y.p1),
            Xml.num(x.p1 - x.p0),
            Xml.num(y.p0 - y.p1)));
    for (double t : ticks(y.v0, y.v1)) {
      double py = y.map(t);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#eee\"/>\n",
              Xml.num(x.p0),
              Xml.num(py),
              Xml.num(x.p1),
              Xml.num(py)));
      svg.append(text(x.p0 - 5, py + 4, fmt(t), "end", 10));
    }
    if (xTicks) {
      for (double t : ticks(x.v0, x.v1)) {
        svg.append(text(x.map(t), y.p0 + 14, fmt(t), "middle", 10));
      }
    }
    if (!xLabel.isEmpty()) {
      svg.append(text((x.p0 + x.p1) / 2, height - 8, xLabel, "middle", 11));
    }
    if (!yLabel.isEmpty()) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"14\" y=\"%s\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 %s)\">%s</text>\n",
              Xml.num((y.p0 + y.p1) / 2),
              Xml.num((y.p0 + y.p1) / 2),
              Xml.escape(yLabel)));
    }
  }

  /**
   * Dashed lines across the plot area where they fall inside the y axis, labelled above their right
   * end.
   */
  private static void references(StringBuilder svg, Axis x, Axis y, List<Reference> refs) {
    for (Reference r : refs) {
      if (r.y() < Math.min(y.v0, y.v1) || r.y() > Math.max(y.v0, y.v1)) {
        continue; // outside a fixed y range
      }
      double py = y.map(r.y());
      svg.append(
          String.format(
              Locale.ROOT,
              "<line class=\"reference\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#B00020\""
                  + " stroke-width=\"1.2\" stroke-dasharray=\"6,4\"><title>%s</title></line>\n",
              Xml.num(x.p0),
              Xml.num(py),
              Xml.num(x.p1),
              Xml.num(py),
              Xml.escape(r.label())));
      svg.append(text(x.p1 - 4, py - 4, r.label(), "end", 10));
    }
  }

  private static void legend(StringBuilder svg, int width, int k, String name, String colour) {
    double lx = width - MARGIN_RIGHT + 10;
    double ly = MARGIN_TOP + 8 + k * 16;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%s\" y=\"%s\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
            Xml.num(lx),
            Xml.num(ly - 8),
            colour));
    svg.append(text(lx + 14, ly + 1, name, "start", 11));
  }

  private static String text(double x, double y, String s, String anchor, int size) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%s\" y=\"%s\" font-size=\"%d\" text-anchor=\"%s\">%s</text>\n",
        Xml.num(x),
        Xml.num(y),
        size,
        anchor,
        Xml.escape(s));
  }

  /** About five "nice" tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
  static double[] ticks(double lo, double hi) {
    double span = hi - lo;
    if (!(span > 0)) {
      return new double[] {lo};
    }
    double raw = span / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
      out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    return String.format(
        Locale.ROOT, a >= 100 ? "%.0f" : a >= 1 ? "%.2f" : a >= 0.01 ? "%.3f" : "%.2g", v);
  }

  /** Linear map from data values [v0, v1] to pixel coordinates [p0, p1]. */
  private static final class Axis {
    final double v0;
    final double v1;
    final double p0;
    final double p1;

    Axis(double v0, double v1, double p0, double p1) {
      if (!(v1 > v0)) {
        double pad = Math.abs(v0) > 0 ? Math.abs(v0) * 0.1 : 1;
        v0 -= pad;
        v1 += pad;
      }
      this.v0 = v0;
      this.v1 = v1;
      this.p0 = p0;
      this.p1 = p1;
    }

    double map(double v) {
      return p0 + (v - v0) / (v1 - v0) * (p1 - p0);
    }
  }
}
