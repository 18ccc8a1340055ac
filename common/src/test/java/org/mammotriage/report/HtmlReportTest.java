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
