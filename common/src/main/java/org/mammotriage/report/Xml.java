package org.mammotriage.report;

/** Escaping shared by the HTML and SVG writers (text and attribute values). */
final class Xml {
  private Xml() {}

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Numbers in SVG coordinates: short, locale-independent. */
  static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "0";
    }
    return String.format(java.util.Locale.ROOT, "%.2f", v);
  }
}
