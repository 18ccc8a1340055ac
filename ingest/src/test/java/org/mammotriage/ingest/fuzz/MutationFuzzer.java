package org.mammotriage.ingest.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.mammotriage.ingest.testing.DicomBytes;

/**
 * Seeded mutations of valid DICOM files, the way transfers, broken encoders and hostile senders
 * corrupt them: truncations, byte flips, rewritten length fields, deep sequences, sequences with
 * many items, pixel-module attributes, UIDs and transfer syntax UIDs. The same seed gives the same
 * cases. Used by ingest's test suite and by {@code ./run bench fuzz}; see {@link FuzzRun}.
 */
public final class MutationFuzzer {
  /** One mutated input: what was done, and the bytes. */
  public record Case(int index, String mutation, byte[] bytes) {}

  private static final String[] KINDS = {
    "truncate", "flip", "length", "depth", "items", "pixel-module", "uid", "transfer-syntax"
  };
  private static final int[] PIXEL_TAGS = {
    0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280002, 0x00280103
  };
  private static final int[] UID_TAGS = {0x00080016, 0x00080018, 0x0020000D, 0x0020000E};
  private static final String[] TRANSFER_SYNTAXES = {
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.4.100",
    "9.9.9",
    "1.2.840.10008.1.2.1x"
  };

  private final Random random;
  private final List<byte[]> seeds;
  private int index;

  /** {@code seeds}: valid Part-10 files, best in explicit VR little endian. */
  public MutationFuzzer(long seed, List<byte[]> seeds) {
    this.random = new Random(seed);
    this.seeds = List.copyOf(seeds);
  }

  public Case next() {
    byte[] seed = seeds.get(random.nextInt(seeds.size()));
    String kind = KINDS[index % KINDS.length];
    byte[] out;
    String what;
    switch (kind) {
      case "truncate" -> {
        int at = 1 + random.nextInt(seed.length - 1);
        out = Arrays.copyOf(seed, at);
        what = "truncate at " + at;
      }
      case "flip" -> {
        out = seed.clone();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
          // most flips in the header, where they change meaning; some anywhere
          int limit = random.nextInt(4) == 0 ? out.length : Math.min(out.length, 2048);
          out[random.nextInt(limit)] ^= (byte) (1 << random.nextInt(8));
        }
        what = n + " bit flips";
      }
      case "length" -> {
        out = seed.clone();
        int at = elementStart(out, random.nextInt(200));
        int[] lengths = {0, 1, 3, 0x7FFF, 0xFFFF, 58_908, random.nextInt(0x10000)};
        int len = lengths[random.nextInt(lengths.length)];
        if (at > 0) {
          out[at + 6] = (byte) len;
          out[at + 7] = (byte) (len >>> 8);
        }
        what = "length " + len + " at " + at;
      }
      case "depth" -> {
        int depth = 16 + random.nextInt(3000);
        out = insertBeforePixelData(seed, nested(depth));
        what = "sequences " + depth + " deep";
      }
      case "items" -> {
        int items = 1 + random.nextInt(80_000);
        out = insertBeforePixelData(seed, items(items));
        what = items + " items";
      }
      case "pixel-module" -> {
        out = seed.clone();
        int tag = PIXEL_TAGS[random.nextInt(PIXEL_TAGS.length)];
        int at = find(out, tag, "US");
        int[] values = {0, 1, 3, 7, 8, 12, 15, 16, 17, 24, 32, 40, 255, 0xFFFF};
        int v = values[random.nextInt(values.length)];
        if (at > 0) {
          out[at + 8] = (byte) v;
          out[at + 9] = (byte) (v >>> 8);
        }
        what = String.format("(%04X,%04X) = %d", tag >>> 16, tag & 0xFFFF, v);
      }
      case "uid" -> {
        out = seed.clone();
        int tag = UID_TAGS[random.nextInt(UID_TAGS.length)];
        int at = find(out, tag, "UI");
        if (at > 0) {
          int len = (out[at + 6] & 0xff) | (out[at + 7] & 0xff) << 8;
          for (int i = 0; i < len; i++) {
            if (random.nextInt(3) == 0) {
              out[at + 8 + i] =
                  (byte)
                      (random.nextBoolean()
                          ? 'A' + random.nextInt(26)
                          : 0x80 + random.nextInt(0x80));
            }
          }
        }
        what = String.format("UID (%04X,%04X) garbled", tag >>> 16, tag & 0xFFFF);
      }
      default -> {
        String ts = TRANSFER_SYNTAXES[random.nextInt(TRANSFER_SYNTAXES.length)];
        out = withTransferSyntax(seed, ts);
        what = "transfer syntax " + ts;
      }
    }
    return new Case(index++, kind + ": " + what, out);
  }

  /** The start of the n-th plausible explicit VR element after the preamble, or -1. */
  private static int elementStart(byte[] b, int n) {
    int seen = 0;
    for (int i = 132; i + 8 < b.length && i < 4096; i++) {
      if (isVr(b[i + 4], b[i + 5])
          && b[i + 1] == 0
          && (b[i] == 0x08 || b[i] == 0x10 || b[i] == 0x18 || b[i] == 0x20 || b[i] == 0x28)) {
        if (seen++ == n % 40) {
          return i;
        }
      }
    }
    return -1;
  }

  private static boolean isVr(byte a, byte b) {
    return a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z';
  }

  static int find(byte[] file, int tag, String vr) {
    return DicomBytes.indexOf(file, tag, vr);
  }

  private static byte[] insertBeforePixelData(byte[] seed, byte[] element) {
    int at = find(seed, 0x7FE00010, "OW");
    if (at < 0) {
      at = find(seed, 0x7FE00010, "OB");
    }
    if (at < 0) {
      at = seed.length;
    }
    byte[] out = new byte[seed.length + element.length];
    System.arraycopy(seed, 0, out, 0, at);
    System.arraycopy(element, 0, out, at, element.length);
    System.arraycopy(seed, at, out, at + element.length, seed.length - at);
    return out;
  }

  /** A private sequence (7FDF,1010) nested {@code depth} deep, undefined lengths. */
  static byte[] nested(int depth) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < depth; i++) {
      b.writeBytes(new byte[] {(byte) 0xDF, 0x7F, 0x10, 0x10, 'S', 'Q', 0, 0, -1, -1, -1, -1});
      b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, -1, -1, -1, -1});
    }
    for (int i = 0; i < depth; i++) {
      b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0});
      b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
    }
    return b.toByteArray();
  }

  /** A private sequence with {@code n} empty items of defined length. */
  static byte[] items(int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xDF, 0x7F, 0x10, 0x10, 'S', 'Q', 0, 0, -1, -1, -1, -1});
    for (int i = 0; i < n; i++) {
      b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 0, 0, 0, 0});
    }
    b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
    return b.toByteArray();
  }

  /** Rewrites (0002,0010); the meta group length is left as it was, as a careless encoder would. */
  private static byte[] withTransferSyntax(byte[] seed, String ts) {
    int at = find(seed, 0x00020010, "UI");
    if (at < 0) {
      return seed.clone();
    }
    int len = (seed[at + 6] & 0xff) | (seed[at + 7] & 0xff) << 8;
    byte[] v = ts.getBytes(StandardCharsets.US_ASCII);
    if (v.length % 2 != 0) {
      v = Arrays.copyOf(v, v.length + 1);
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(seed, 0, at + 6);
    b.write(v.length);
    b.write(v.length >>> 8);
    b.writeBytes(v);
    b.write(seed, at + 8 + len, seed.length - at - 8 - len);
    return b.toByteArray();
  }
}
