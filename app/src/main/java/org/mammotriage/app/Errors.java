package org.mammotriage.app;

import org.apache.kafka.common.config.ConfigException;

/** Turns an exception that reached the command line into one clear line. */
final class Errors {
  private Errors() {}

  static String describe(Throwable ex) {
    if (ex instanceof ConfigException) {
      return "bad configuration: " + ex.getMessage();
    }
    StringBuilder sb = new StringBuilder(String.valueOf(ex.getMessage()));
    Throwable c = ex.getCause();
    while (c != null && c != ex) {
      sb.append(" (caused by ")
          .append(c.getClass().getSimpleName())
          .append(": ")
          .append(c.getMessage())
          .append(')');
      ex = c;
      c = c.getCause();
    }
    return sb.toString();
  }
}
