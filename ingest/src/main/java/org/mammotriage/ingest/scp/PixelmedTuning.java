package org.mammotriage.ingest.scp;

import com.pixelmed.network.Association;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PixelMed waits a fixed 5 s after sending A-RELEASE-RP (and after an A-ABORT) before it closes the
 * connection, holding a thread per association for that long. Its wait is a private static
 * constant; this sets it to the short delay dcm4che uses, which still lets the sender read the last
 * PDU before the close. If a PixelMed version lacks the field, the 5 s stay and a line says so.
 */
final class PixelmedTuning {
  private static final Logger LOG = LoggerFactory.getLogger(PixelmedTuning.class);
  static final String FIELD = "associationReleaseToTransportConnectionCloseTimeoutInMilliseconds";

  private PixelmedTuning() {}

  static synchronized void releaseCloseDelay(int ms) {
    try {
      Field f = Association.class.getDeclaredField(FIELD);
      f.setAccessible(true);
      f.setInt(null, Math.max(1, ms));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot shorten PixelMed's 5 s wait after an association ends: {}", e.toString());
    }
  }

  /** The delay in force, or -1 when it cannot be read. */
  static int releaseCloseDelay() {
    try {
      Field f = Association.class.getDeclaredField(FIELD);
      f.setAccessible(true);
      return f.getInt(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }
}
