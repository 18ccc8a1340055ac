package org.mammotriage.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A static, self-contained HTML report: headings, paragraphs, notices, key/value blocks, tables and
 * inline SVG charts from {@link SvgPlot}. One file, no scripts, no CDN, opens offline.
 *
 * <pre>{@code
 * HtmlReport r = new HtmlReport("Pretraining comparison");
 * r.notice("Trained on SYNTHETIC data: not for clinical use.");
 * r.table(List.of("method", "AUC"), rows);
 * r.chart(SvgPlot.bars().setTitle(...)...build());
 * r.write(outDir.resolve("report.html"));
 * }</pre>
 */
public final class HtmlReport {
  private static final String CSS =
      String.join(
          "\n",
          "body{font-family:sans-serif;margin:24px;max-width:1100px;color:#222}",
          "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}",
          "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}",
          "th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}",
          ".notice{background:#fff3cd;border:1px solid #e0c068;padding:8px 12px;margin:10px 0}",
          "dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}dd{margin:0}",
          "figure{margin:12px 0}pre{background:#f7f7f7;padding:8px;overflow-x:auto}");

  private final String title;
  private final StringBuilder body = new StringBuilder(8192);

  /** A report with a page title (also shown as the top heading). */
  public HtmlReport(String title) {
    this.title = Objects.requireNonNull(title, "title");
  }

  /** A section heading. */
  public HtmlReport heading(String text) {
    body.append("<h2>").append(Xml.escape(text)).append("</h2>\n");
    return this;
  }

  /** A paragraph of plain text (escaped). */
  public HtmlReport paragraph(String text) {
    body.append("<p>").append(Xml.escape(text)).append("</p>\n");
    return this;
  }

  /** A highlighted notice, e.g. "trained on synthetic data". */
  public HtmlReport notice(String text) {
    body.append("<div class=\"notice\">").append(Xml.escape(text)).append("</div>\n");
    return this;
  }

  /** Preformatted text (a command line, a config dump). */
  public HtmlReport preformatted(String text) {
    body.append("<pre>").append(Xml.escape(text)).append("</pre>\n");
    return this;
  }

  /** A definition list of key/value pairs, in the map's iteration order. */
  public HtmlReport keyValues(Map<String, ?> entries) {
    body.append("<dl>\n");
    entries.forEach(
        (k, v) ->
            body.append("<dt>")
                .append(Xml.escape(k))
                .append("</dt><dd>")
                .append(Xml.escape(String.valueOf(v)))
                .append("</dd>\n"));
    body.append("</dl>\n");
    return this;
  }

  /**
   * A table. Cells that parse as numbers are right-aligned. Every row must have as many cells as
   * the header.
   */
  public HtmlReport table(List<String> header, List<? extends List<?>> rows) {
    body.append("<table>\n<tr>");
    for (String h : header) {
      body.append("<th>").append(Xml.escape(h)).append("</th>");
    }
    body.append("</tr>\n");
    int r = 0;
    for (List<?> row : rows) {
      if (row.size() != header.size()) {
        throw new IllegalArgumentException(
            "table row " + r + " has " + row.size() + " cells, header has " + header.size());
      }
      body.append("<tr>");
      for (Object cell : row) {
        String s = cell instanceof Double d ? SvgPlot.fmt(d) : String.valueOf(cell);
        body.append(isNumeric(s) ? "<td class=\"num\">" : "<td>")
            .append(Xml.escape(s))
            .append("</td>");
      }
      body.append("</tr>\n");
      r++;
    }
    body.append("</table>\n");
    return this;
  }

  /** An inline SVG chart with an optional caption (may be null). */
  public HtmlReport chart(SvgPlot.Chart chart, String caption) {
    body.append("<figure>\n").append(chart.render());
    if (caption != null && !caption.isBlank()) {
      body.append("<figcaption>").append(Xml.escape(caption)).append("</figcaption>\n");
    }
    body.append("</figure>\n");
    return this;
  }

  /** An inline SVG chart without caption. */
  public HtmlReport chart(SvgPlot.Chart chart) {
    return chart(chart, null);
  }

  /** The whole document. */
  public String render() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + Xml.escape(title)
        + "</title>\n<style>\n"
        + CSS
        + "\n</style>\n</head>\n<body>\n<h1>"
        + Xml.escape(title)
        + "</h1>\n"
        + body
        + "</body>\n</html>\n";
  }

  /**
   * Writes the document atomically (a temporary file next to it, then a move), creating parent
   * folders; the file gets the permissions any file this process creates gets (the umask), not a
   * temporary file's owner-only ones.
   */
  public Path write(Path file) {
    try {
      return writeAtomically(file, render());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a report file (HTML, JSON) atomically: a temporary file next to it, then a move; creates
   * parent folders. The temporary file is created like any file, so the umask decides who may read
   * the report (not owner-only, as {@link Files#createTempFile} would make it).
   */
  public static Path writeAtomically(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp =
        parent.resolve("." + file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    Files.writeString(
        tmp,
        text,
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private static boolean isNumeric(String s) {
    return s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?%?");
  }
}
