package org.mammotriage.training.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. The
 * public dataset tables (EMBED, VinDr, RSNA) and our manifests all fit this.
 */
public final class Csv {
  private Csv() {}

  /** A parsed table: the header and the rows as maps from column name to value. */
  public record Table(
      Path source, List<String> header, List<Map<String, String>> rows, List<Integer> lineNumbers) {
    /** Fails with a message naming the file and the missing columns when any are absent. */
    public void requireColumns(List<String> required, String what) {
      List<String> missing = new ArrayList<>();
      for (String c : required) {
        if (!header.contains(c)) {
          missing.add(c);
        }
      }
      if (!missing.isEmpty()) {
        throw new DataException(
            source
                + ": not a "
                + what
                + " table; missing column(s) "
                + missing
                + " (found "
                + header
                + ")");
      }
    }
  }

  /** Reads a whole CSV file with a header line. A UTF-8 BOM is ignored. */
  public static Table read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("CSV file not found: " + file);
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<List<String>> records = new ArrayList<>();
      List<Integer> lines = new ArrayList<>();
      parse(r, records, lines);
      if (records.isEmpty()) {
        throw new DataException(file + ": empty CSV (no header line)");
      }
      List<String> header = new ArrayList<>();
      for (String h : records.get(0)) {
        header.add(h.replace("\uFEFF", "").trim());
      }
      List<Map<String, String>> rows = new ArrayList<>();
      List<Integer> rowLines = new ArrayList<>();
      for (int i = 1; i < records.size(); i++) {
        List<String> rec = records.get(i);
        if (rec.size() == 1 && rec.get(0).isBlank()) {
          continue;
        }
        if (rec.size() > header.size()) {
          throw new DataException(
              file
                  + " line "
                  + lines.get(i)
                  + ": "
                  + rec.size()
                  + " fields, header has "
                  + header.size()
                  + " (unquoted comma in a value?)");
        }
        Map<String, String> row = new HashMap<>();
        for (int c = 0; c < header.size(); c++) {
          row.put(header.get(c), c < rec.size() ? rec.get(c).trim() : "");
        }
        rows.add(row);
        rowLines.add(lines.get(i));
      }
      return new Table(file, List.copyOf(header), rows, rowLines);
    } catch (IOException e) {
      throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void parse(BufferedReader r, List<List<String>> out, List<Integer> lines)
      throws IOException {
    List<String> rec = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int line = 1;
    int recordLine = 1;
    int ch;
    while ((ch = r.read()) != -1) {
      char c = (char) ch;
      any = true;
      if (quoted) {
        if (c == '"') {
          r.mark(1);
          int next = r.read();
          if (next == '"') {
            field.append('"');
          } else {
            quoted = false;
            if (next != -1) {
              r.reset();
            }
          }
        } else {
          if (c == '\n') {
            line++;
          }
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        rec.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r') {
          r.mark(1);
          if (r.read() != '\n') {
            r.reset();
          }
        }
        rec.add(field.toString());
        field.setLength(0);
        out.add(rec);
        lines.add(recordLine);
        rec = new ArrayList<>();
        line++;
        recordLine = line;
        any = false;
      } else {
        field.append(c);
      }
    }
    if (any || field.length() > 0 || !rec.isEmpty()) {
      rec.add(field.toString());
      out.add(rec);
      lines.add(recordLine);
    }
  }

  /** Quotes a value when it holds a comma, quote or newline. */
  public static String quote(String v) {
    if (v == null) {
      return "";
    }
    if (v.indexOf(',') >= 0
        || v.indexOf('"') >= 0
        || v.indexOf('\n') >= 0
        || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }

  /** Writes one CSV line (values quoted as needed) and a newline. */
  public static void writeLine(Writer w, List<String> values) throws IOException {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        w.write(',');
      }
      w.write(quote(values.get(i)));
    }
    w.write('\n');
  }
}
