package org.mammotriage.progress;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Periodic progress lines for long loops: done/total, rate and ETA, at most one line every {@code
 * everyMillis} (and always the last one).
 */
public final class Progress {
  private final String what;
  private final String unit;
  private final long total;
  private final long everyMillis;
  private final Consumer<String> out;
  private final long start = System.nanoTime();
  private long lastPrint;

  public Progress(String what, String unit, long total, long everyMillis, Consumer<String> out) {
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.everyMillis = everyMillis;
    this.out = out;
    this.lastPrint = start;
  }

  /** Reports {@code done} units with an optional detail (loss, ...). */
  public void update(long done, double units, String detail) {
    long now = System.nanoTime();
    if (done < total && (now - lastPrint) / 1_000_000L < everyMillis) {
      return;
    }
    lastPrint = now;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    double perDone = secs / Math.max(1, done);
    long eta = Math.round(perDone * (total - done));
    int width = 24;
    int filled = (int) Math.round(width * (double) done / Math.max(1, total));
    String bar = "#".repeat(filled) + ".".repeat(Math.max(0, width - filled));
    out.accept(
        String.format(
            Locale.ROOT,
            "%s [%s] %d/%d %s%s, %.1f %s/s, elapsed %s, ETA %s",
            what,
            bar,
            done,
            total,
            detail.isEmpty() ? "" : " ",
            detail,
            units / secs,
            unit,
            duration(Math.round(secs)),
            duration(eta)));
  }

  static String duration(long s) {
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s / 60) % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
