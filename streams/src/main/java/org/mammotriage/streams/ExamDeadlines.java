package org.mammotriage.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mammotriage.schemas.avro.ExamAssemblyState;

/**
 * When each exam in the {@code exam-assembly-store} is next due, in memory, ordered by time: an
 * exam waiting for a release ({@code version 0}, or changed since its release) at its last image
 * plus the quiet period (a complete one at its last image); a released exam at its release plus the
 * retention period (then it is removed). The punctuation reads only the exams due, not the whole
 * store: a store keeps every exam of the retention period (a week by default, tens of thousands of
 * exams at a large programme), and reading and decoding all of them on the stream thread every few
 * seconds would grow with it.
 *
 * <p>It is derived from the store and kept by the thread that owns the store: built from a full
 * scan at the processor's first punctuation (Kafka Streams initialises a processor after restoring
 * its store, so after a crash, a rebalance or a revived task it holds what the store holds),
 * updated with every write of the processor, and checked against the store a slice at a time, so
 * that an exam the index missed is found within one pass over the store rather than never. Not
 * thread-safe.
 */
final class ExamDeadlines {
  private record Entry(long at, String study) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : study.compareTo(o.study);
    }
  }

  private final long quietPeriodMs;
  private final long retentionMs;
  private final Map<String, Long> byStudy = new HashMap<>();
  private final TreeSet<Entry> byTime = new TreeSet<>();

  ExamDeadlines(long quietPeriodMs, long retentionMs) {
    this.quietPeriodMs = quietPeriodMs;
    this.retentionMs = retentionMs;
  }

  /**
   * When this exam is next due (epoch ms): its quiet-period release while it waits for one, its
   * removal after the retention period once released; {@link Long#MAX_VALUE} for never (a sum
   * beyond the clock's range saturates instead of wrapping round into the past).
   */
  long dueAt(ExamAssemblyState st) {
    if (waitsForRelease(st)) {
      // a complete exam waits only for encodings made ahead, or because the process stopped
      // before its release: due at once
      return st.getSlots().size() == 4
          ? st.getLastImageAt()
          : saturatedAdd(st.getLastImageAt(), quietPeriodMs);
    }
    return st.getReleasedAt() == null
        ? Long.MAX_VALUE
        : saturatedAdd(st.getReleasedAt(), retentionMs);
  }

  /** Whether the exam waits for a release: never released, or changed since its release. */
  static boolean waitsForRelease(ExamAssemblyState st) {
    return st.getVersion() == 0 || st.getChangedSinceRelease();
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  /** Files (or files again) the exam as the store now holds it. */
  void put(String study, ExamAssemblyState st) {
    long at = dueAt(st);
    Long old = byStudy.put(study, at);
    if (old != null) {
      if (old == at) {
        return;
      }
      byTime.remove(new Entry(old, study));
    }
    byTime.add(new Entry(at, study));
  }

  /** Forgets the exam (removed from the store). */
  void remove(String study) {
    Long old = byStudy.remove(study);
    if (old != null) {
      byTime.remove(new Entry(old, study));
    }
  }

  /** Whether the exam is filed, due at exactly this time (for the slice check). */
  boolean filedAt(String study, long at) {
    Long t = byStudy.get(study);
    return t != null && t == at;
  }

  /**
   * The exams due at or before {@code now}, earliest first (a copy: the caller files them anew).
   */
  List<String> due(long now) {
    List<String> out = new ArrayList<>();
    for (Entry e : byTime) {
      if (e.at() > now) {
        break;
      }
      out.add(e.study());
    }
    return out;
  }

  int size() {
    return byStudy.size();
  }

  void clear() {
    byStudy.clear();
    byTime.clear();
  }
}
