package org.mammotriage.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte-level edits of an explicit VR little endian Part-10 file, the way a corrupted transfer or a
 * hostile sender makes them: insert elements, rewrite a length field, build nested sequences.
 */
public final class DicomBytes {
  private DicomBytes() {}

  /** Offset of the first element with this tag and VR (a plain search of the tag and VR bytes). */
  public static int find(byte[] file, int tag, String vr) {
    int at = indexOf(file, tag, vr);
    if (at < 0) {
      throw new IllegalArgumentException(String.format("no (%08X) %s element", tag, vr));
    }
    return at;
  }

  /** Like {@link #find}, or -1 when the file has no such element. */
  public static int indexOf(byte[] file, int tag, String vr) {
    byte[] pattern = {
      (byte) (tag >>> 16),
      (byte) (tag >>> 24),
      (byte) tag,
      (byte) (tag >>> 8),
      (byte) vr.charAt(0),
      (byte) vr.charAt(1)
    };
    for (int i = 132; i + pattern.length <= file.length; i++) {
      if (Arrays.equals(file, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    return -1;
  }

  public static byte[] insertAt(byte[] file, int offset, byte[] element) {
    byte[] out = new byte[file.length + element.length];
    System.arraycopy(file, 0, out, 0, offset);
    System.arraycopy(element, 0, out, offset, element.length);
    System.arraycopy(file, offset, out, offset + element.length, file.length - offset);
    return out;
  }

  /** Rewrites the 16-bit length of a short-VR element (UI, CS, ...) found by {@link #find}. */
  public static byte[] withShortLength(byte[] file, int tag, String vr, int length) {
    byte[] out = file.clone();
    int at = find(file, tag, vr) + 6;
    out[at] = (byte) length;
    out[at + 1] = (byte) (length >>> 8);
    return out;
  }

  /**
   * A private sequence (7FDF,1010) nested {@code depth} deep, each level one undefined-length item;
   * inserted just before Pixel Data it keeps the tags in order.
   */
  public static byte[] nestedSequences(int depth) {
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

  /** An explicit VR little endian element with a short (16-bit) length. */
  public static byte[] shortElement(int tag, String vr, String value) {
    byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
    if (v.length % 2 != 0) {
      v = Arrays.copyOf(v, v.length + 1);
      v[v.length - 1] = vr.equals("UI") ? 0 : (byte) ' ';
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        new byte[] {
          (byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8),
          (byte) vr.charAt(0), (byte) vr.charAt(1), (byte) v.length, (byte) (v.length >>> 8)
        });
    b.writeBytes(v);
    return b.toByteArray();
  }
}
