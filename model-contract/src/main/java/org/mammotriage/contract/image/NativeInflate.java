package org.mammotriage.contract.image;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libdeflate (Debian package {@code libdeflate0}) through a small JNI library built with this
 * module ({@code src/main/c}): whole-buffer inflate of a PNG's pixel data (and deflate of the
 * working image's, for ingest's {@link GrayPngEncoder}), about twice as fast as {@link
 * java.util.zip.Inflater} on working images (measured in {@code ./run bench scoring}). When the
 * library cannot be loaded (another platform, no libdeflate.so.0, no writable temporary directory)
 * or {@code -Dmammotriage.inflate=java} is set, {@link #available()} is false and the decoder uses
 * java.util.zip; one log line says which is used and why.
 */
public final class NativeInflate {
  private static final Logger LOG = LoggerFactory.getLogger(NativeInflate.class);

  /** System property: {@code auto} (default) uses libdeflate when it loads, {@code java} never. */
  static final String PROPERTY = "mammotriage.inflate";

  private static final String RESOURCE =
      "/org/mammotriage/contract/image/native/linux-x86_64/libmammotriage-inflate.so";

  private static final boolean AVAILABLE;
  private static final String DESCRIPTION;

  static {
    String why = null;
    String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    if (mode.equals("java")) {
      why = "-D" + PROPERTY + "=java";
    } else if (!mode.equals("auto")) {
      why = "-D" + PROPERTY + "=" + mode + " is not auto or java";
    } else {
      why = load();
    }
    AVAILABLE = why == null;
    DESCRIPTION = AVAILABLE ? "libdeflate (native)" : "java.util.zip (" + why + ")";
    if (AVAILABLE) {
      LOG.info("PNG inflate: {}", DESCRIPTION);
    } else {
      LOG.info(
          "PNG inflate: {}; preparing images is slower (see scoring/README.md). On Debian/Ubuntu"
              + " x86-64 install libdeflate0 for the fast path",
          DESCRIPTION);
    }
  }

  private NativeInflate() {}

  /**
   * @return null when loaded, else why not
   */
  private static String load() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "the native library is built for linux x86-64 only, this is " + os + " " + arch;
    }
    try (InputStream in = NativeInflate.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "the native library is not in this build (gcc missing when it was built?)";
      }
      Path tmp = Files.createTempFile("mammotriage-inflate", ".so");
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        System.load(tmp.toAbsolutePath().toString());
      } finally {
        Files.deleteIfExists(tmp); // the loaded mapping outlives the file
      }
      if (!init()) {
        return initError();
      }
      return null;
    } catch (Exception | UnsatisfiedLinkError e) {
      return "the native library does not load: " + e.getMessage();
    }
  }

  /** Whether {@link #zlibDecompress} can be called. */
  static boolean available() {
    return AVAILABLE;
  }

  /** Which inflate is used, and why when it is not libdeflate. */
  public static String description() {
    return DESCRIPTION;
  }

  private static native boolean init();

  private static native String initError();

  /**
   * Inflates the zlib stream {@code in[inOff, inOff+inLen)} into {@code out[outOff,
   * outOff+outLen)}, which it must fill exactly.
   *
   * @return 0 on success; else 1 bad data, 2 short output, 3 more data than {@code outLen}, -2 bad
   *     bounds, -3 out of memory
   */
  static native int zlibDecompress(
      byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen);

  /**
   * Compresses {@code in[inOff, inOff+inLen)} into a zlib stream at {@code out[outOff,
   * outOff+outCap)} with libdeflate at {@code level} (0-12), reusing this thread's compressor.
   *
   * @return the stream's length; 0 when it does not fit, -1 not initialised, -2 bad bounds or
   *     level, -3 out of memory
   */
  static native int zlibCompress(
      byte[] in, int inOff, int inLen, byte[] out, int outOff, int outCap, int level);

  /** The most bytes a zlib stream of {@code inLen} bytes can take; -1 when not known. */
  static native int zlibCompressBound(int inLen);
}
