package org.mammotriage.ingest.dicom;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntax of the header values ingest forwards or names (PS3.5 6.2, 9.1), so that a value a
 * sender corrupted is recognised as such instead of being copied into a Kafka key, a record or a
 * message.
 */
public final class Values {
  /**
   * Digits in components separated by dots, at most 64 characters. Leading zeros in a component are
   * not allowed by PS3.5 but are common in older equipment, so they are accepted.
   */
  private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

  private static final Pattern CODE_STRING = Pattern.compile("[A-Z0-9 _]{0,16}");

  private Values() {}

  public static boolean isUid(String s) {
    return s != null && !s.isEmpty() && s.length() <= 64 && UID.matcher(s).matches();
  }

  public static boolean isCodeString(String s) {
    return s != null && CODE_STRING.matcher(s).matches();
  }

  /** A UID for a message: itself when valid, else a description that carries none of its bytes. */
  public static String uidForMessage(String s) {
    return isUid(s) ? s : invalid(s);
  }

  /** A code string (Modality, ...) for a message, on the same terms. */
  public static String codeForMessage(String s) {
    return isCodeString(s) ? (s.isEmpty() ? "(empty)" : s) : invalid(s);
  }

  private static String invalid(String s) {
    return String.format(
        Locale.ROOT, "(invalid value of %d characters)", s == null ? 0 : s.length());
  }
}
