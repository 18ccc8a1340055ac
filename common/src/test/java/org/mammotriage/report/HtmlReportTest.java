package org.mammotriage.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HtmlReportTest {

  @Test
  void shouldEscapeTextAndRightAlignNumbersInTables() {
    // given
    HtmlReport r = new HtmlReport("A <b> report");
    // when
    String html =
        r.paragraph("x < y & \"z\"")
            .table(List.of("name", "auc"), List.of(List.of("<script>", 0.8123), List.of("b", "12")))
            .render();
    // then
    assertThat(html).contains("<title>A &lt;b&gt; report</title>");
    assertThat(html).contains("x &lt; y &amp; &quot;z&quot;");
    assertThat(html).doesNotContain("<script>");
    assertThat(html).contains("<td class=\"num\">0.812</td>").contains("<td class=\"num\">12</td>");
  }

  @Test
  void shouldRejectATableRowWithTheWrongNumberOfCells() {
    HtmlReport r = new HtmlReport("t");
    assertThatThrownBy(() -> r.table(List.of("a", "b"), List.of(List.of("only one"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 0");
  }

  @Test
  void shouldWriteASelfContainedFileWithoutExternalReferences(@TempDir Path dir) throws Exception {
    // given
    Map<String, Object> kv = new LinkedHashMap<>();
    kv.put("method", "glam");
    kv.put("steps", 200);
    HtmlReport r =
        new HtmlReport("Report")
            .notice("SYNTHETIC data")
            .keyValues(kv)
            .chart(
                SvgPlot.line()
                    .setTitle("loss")
                    .addSeries("glam", new double[] {1, 2}, new double[] {3, 2})
                    .build(),
                "training loss");
    // when
    Path f = r.write(dir.resolve("sub/report.html"));
    // then
    String html = Files.readString(f);
    assertThat(html)
        .contains("SYNTHETIC data")
        .contains("<dt>steps</dt><dd>200</dd>")
        .contains("<svg");
    assertThat(html.replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://")
        .doesNotContain("https://")
        .doesNotContain("<script")
        .doesNotContain("<link");
    try (var files = Files.list(f.getParent())) {
      assertThat(files).containsExactly(f);
    }
    // created as any file this process creates (the umask), not owner-only like a temporary file
    Path plain = Files.createFile(dir.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(f)).isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void shouldRenderChartsAsWellFormedSvg() throws Exception {
    // given
    var line =
        SvgPlot.line()
            .setTitle("AUC vs labels")
            .optXLabel("fraction")
            .optYLabel("AUC")
            .optYRange(0, 1)
            .addSeries("clip & co", new double[] {1, 10, 100}, new double[] {0.6, 0.7, Double.NaN})
            .addSeries("glam", new double[] {1, 10, 100}, new double[] {0.65, 0.75, 0.8})
            .build();
    var bars =
        SvgPlot.bars()
            .setTitle("AUC")
            .setCategories(List.of("mass", "calc"))
            .addSeries(
                "clip", new double[] {0.7, 0.6}, new double[] {0.6, 0.5}, new double[] {0.8, 0.7})
            .addSeries("glam", new double[] {0.75, Double.NaN})
            .build();
    // when / then
    for (String svg : List.of(line.render(), bars.render())) {
      Document doc = parse(svg);
      assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    }
    assertThat(line.render()).contains("<polyline").contains("clip &amp; co");
    assertThat(bars.render()).contains("<rect").contains("<path d=\"M");
  }

  @Test
  void shouldShadeACiBandBehindItsLineAndSkipUndeterminedBounds() throws Exception {
    var chart =
        SvgPlot.line()
            .setTitle("AUC")
            .optYRange(0, 1)
            .addSeries(
                "clip",
                new double[] {0, 1, 2},
                new double[] {0.6, 0.7, 0.8},
                new double[] {0.5, Double.NaN, 0.7},
                new double[] {0.7, 0.8, 0.9})
            .build();
    String svg = chart.render();
    Document doc = parse(svg);
    var polygons = doc.getElementsByTagName("polygon");
    assertThat(polygons.getLength()).isEqualTo(1);
    // two points with both bounds: 4 corners of the band, upper left to right then lower back
    String pts = polygons.item(0).getAttributes().getNamedItem("points").getNodeValue();
    assertThat(pts.trim().split(" ")).hasSize(4);
    assertThat(svg.indexOf("<polygon")).isLessThan(svg.indexOf("<polyline"));
  }

  @Test
  void shouldDrawAGoalLineWhereItsValueFallsAndWidenTheAxisToShowIt() throws Exception {
    // given: bars all above the goal, no fixed range
    var bars =
        SvgPlot.bars()
            .setTitle("ratio")
            .setCategories(List.of("a", "b"))
            .addSeries("measured", new double[] {0.9, 1.2})
            .optReferenceLine(0.8, "goal 0.8")
            .build();
    var line =
        SvgPlot.line()
            .setTitle("runs")
            .addSeries("r", new double[] {1, 2, 3}, new double[] {1.0, 1.5, 2.0})
            .optReferenceLine(0.5, "goal")
            .build();
    // when
    Document b = parse(bars.render());
    Document l = parse(line.render());
    // then: one dashed line each, horizontal, inside the plot area (top 30, bottom 320 - 45)
    for (Document d : List.of(b, l)) {
      org.w3c.dom.Element ref = referenceLine(d);
      assertThat(ref.getAttribute("y1")).isEqualTo(ref.getAttribute("y2"));
      assertThat(ref.getAttribute("stroke-dasharray")).isNotEmpty();
      double y = Double.parseDouble(ref.getAttribute("y1"));
      assertThat(y).isBetween(30.0, 275.0);
    }
    // the line plot's axis was widened to its goal (0.5, below the data): labelled there
    assertThat(line.render()).contains(">goal</text>");
    // the bars' 0.8 lies between the axis floor (0) and the top (1.2): 1/3 of the way down
    assertThat(Double.parseDouble(referenceLine(b).getAttribute("y1")))
        .isCloseTo(275 - (275 - 30) * 0.8 / 1.2, org.assertj.core.data.Offset.offset(0.6));
  }

  /** The chart's one dashed reference line (fails when there is none or more than one). */
  private static org.w3c.dom.Element referenceLine(Document d) {
    var lines = d.getElementsByTagName("line");
    org.w3c.dom.Element ref = null;
    for (int i = 0; i < lines.getLength(); i++) {
      var e = (org.w3c.dom.Element) lines.item(i);
      if ("reference".equals(e.getAttribute("class"))) {
        assertThat(ref).as("one reference line").isNull();
        ref = e;
      }
    }
    assertThat(ref).as("a reference line").isNotNull();
    return ref;
  }

  @Test
  void shouldFitBarsWhoseIntervalIsNotKnownInsideTheAxis() throws Exception {
    // given: one bar with an interval, one without (NaN ends), the second the tallest
    String svg =
        SvgPlot.bars()
            .setTitle("ratio")
            .setCategories(List.of("a", "b"))
            .addSeries(
                "m",
                new double[] {1.0, 6.0},
                new double[] {0.9, Double.NaN},
                new double[] {1.1, Double.NaN})
            .optReferenceLine(2.0, "goal")
            .build()
            .render();
    // then: every bar starts at or below the plot's top (30)
    Document d = parse(svg);
    var rects = d.getElementsByTagName("rect");
    int bars = 0;
    for (int i = 0; i < rects.getLength(); i++) {
      var e = (org.w3c.dom.Element) rects.item(i);
      if (e.getElementsByTagName("title").getLength() > 0) {
        bars++;
        assertThat(Double.parseDouble(e.getAttribute("y"))).isGreaterThanOrEqualTo(29.9);
      }
    }
    assertThat(bars).isEqualTo(2);
  }

  @Test
  void shouldLeaveOutAGoalLineOutsideAFixedRange() {
    String svg =
        SvgPlot.bars()
            .setTitle("auc")
            .setCategories(List.of("a"))
            .addSeries("m", new double[] {0.7})
            .optYRange(0.5, 1.0)
            .optReferenceLine(0.2, "too low")
            .build()
            .render();
    assertThat(svg).doesNotContain("class=\"reference\"").doesNotContain("too low");
    assertThatThrownBy(() -> SvgPlot.bars().optReferenceLine(Double.NaN, "x"))
        .hasMessageContaining("non-finite");
  }

  @Test
  void shouldRefuseChartsWithoutTitleSeriesOrMatchingCategories() {
    assertThatThrownBy(() -> SvgPlot.line().build()).hasMessageContaining("setTitle");
    assertThatThrownBy(() -> SvgPlot.line().setTitle("t").build())
        .hasMessageContaining("addSeries");
    assertThatThrownBy(
            () ->
                SvgPlot.bars()
                    .setTitle("t")
                    .setCategories(List.of("a", "b"))
                    .addSeries("s", new double[] {1})
                    .build())
        .hasMessageContaining("1 values for 2 categories");
    assertThatThrownBy(
            () ->
                SvgPlot.line().setTitle("t").addSeries("s", new double[] {1, 2}, new double[] {1}))
        .hasMessageContaining("x has 2 points");
  }

  @Test
  void shouldPickNiceTicksThatCoverTheRange() {
    double[] t = SvgPlot.ticks(0, 1);
    assertThat(t).hasSize(6);
    assertThat(t[0]).isZero();
    assertThat(t[5]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(SvgPlot.ticks(3, 3)).containsExactly(3);
  }

  private static Document parse(String xml) throws Exception {
    var f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}
