package org.mammotriage.ingest.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.Values;
import org.mammotriage.schemas.avro.RejectedInstance;

/**
 * The bound and character set of every field ingest writes into a dead-letter record, applied as
 * the record is built and checked by {@link #violations}. A value that is not valid for its field
 * (a UID with letters, a corrupted length that swallowed the next elements) is left out, never
 * shortened: a truncated value could still carry what it swallowed, patient names included.
 */
public final class DlqFields {
  public static final int UID_MAX = 64;
  public static final int AE_MAX = 16;
  public static final int CODE_STRING_MAX = 16;
  public static final int TEXT_MAX = 512;
  public static final Set<String> STAGES = Set.of("INGEST_SCP", "INGEST_IMPORT");

  private DlqFields() {}

  /** A UID, or null when it is not one. */
  public static String uid(String s) {
    return Values.isUid(s) ? s : null;
  }

  /** A code string (Modality), or null when it is not one. */
  public static String codeString(String s) {
    return s != null && !s.isEmpty() && Values.isCodeString(s) ? s : null;
  }

  /**
   * An AE title as the peer sent it: printable ASCII other than backslash (PS3.5 AE), at most 16
   * characters; anything else becomes '?'.
   */
  public static String ae(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = printable(s.trim(), AE_MAX).replace('\\', '?');
    return t.isEmpty() ? null : t;
  }

  /** Free text (the reason): printable ASCII, at most {@link #TEXT_MAX} characters. */
  public static String text(String s) {
    return printable(s == null ? "" : s, TEXT_MAX);
  }

  private static String printable(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    if (s.length() > max) {
      b.setLength(max - 3);
      b.append("...");
    }
    return b.toString();
  }

  /** What is wrong with a record's fields; empty when every field is within its bound and set. */
  public static List<String> violations(RejectedInstance r) {
    List<String> out = new ArrayList<>();
    boolean known = false;
    for (Reason reason : Reason.values()) {
      known |= reason.code().equals(r.getReasonCode()) && !reason.isTransient();
    }
    if (!known) {
      out.add("reasonCode " + r.getReasonCode() + " is not a permanent Reason");
    }
    if (!STAGES.contains(r.getStage())) {
      out.add("stage " + r.getStage());
    }
    if (!r.getReasonText().equals(text(r.getReasonText()))) {
      out.add("reasonText is longer than " + TEXT_MAX + " or not printable ASCII");
    }
    checkUid(out, "studyInstanceUid", r.getStudyInstanceUid());
    checkUid(out, "seriesInstanceUid", r.getSeriesInstanceUid());
    checkUid(out, "sopInstanceUid", r.getSopInstanceUid());
    checkUid(out, "sopClassUid", r.getSopClassUid());
    checkUid(out, "transferSyntaxUid", r.getTransferSyntaxUid());
    if (r.getModality() != null && codeString(r.getModality()) == null) {
      out.add("modality is not a code string");
    }
    if (r.getSourceAe() != null && !r.getSourceAe().equals(ae(r.getSourceAe()))) {
      out.add("sourceAe is not an AE title");
    }
    return out;
  }

  private static void checkUid(List<String> out, String field, String v) {
    if (v != null && uid(v) == null) {
      out.add(field + " is not a UID of at most " + UID_MAX + " characters");
    }
  }
}
