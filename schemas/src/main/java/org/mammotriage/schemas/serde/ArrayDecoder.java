package org.mammotriage.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.InvalidNumberEncodingException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one byte array (the Avro 1.12 specification, "Binary Encoding"), that
 * hands out a large {@code bytes} value as a read-only view of that array instead of a copy.
 *
 * <p>Why: a {@code MammogramImage} record is a 0.25-0.45 MB PNG with a few hundred bytes around it.
 * Avro's own decoders copy the PNG out of the record array (the stream thread and each encode-ahead
 * worker decode every image record), which was 18 % of the stream thread's CPU in a profile of
 * {@code ./run bench streams --alone} (docs/benchmarks.md). Values under {@link #VIEW_MIN} bytes
 * are copied as before, so a small field never keeps a large record array alive.
 *
 * <p>Every length and count is checked against what is left of the array before it is used: a
 * truncated or hostile record ends in an {@link EOFException} naming the position, never in an
 * allocation of the size it claims.
 */
final class ArrayDecoder extends Decoder {
  /** A {@code bytes} value this long or longer is a view of the record array. */
  static final int VIEW_MIN = 64 * 1024;

  private final byte[] buf;
  private final int limit;
  private int pos;

  ArrayDecoder(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
  }

  private int need(long n) throws EOFException {
    if (n < 0 || n > limit - pos) {
      throw new EOFException(
          "the record ends before its data: "
              + n
              + " bytes wanted at byte "
              + pos
              + ", "
              + (limit - pos)
              + " left");
    }
    return (int) n;
  }

  @Override
  public void readNull() {}

  @Override
  public boolean readBoolean() throws IOException {
    need(1);
    return buf[pos++] == 1;
  }

  @Override
  public int readInt() throws IOException {
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 28) {
        throw new InvalidNumberEncodingException("invalid int encoding at byte " + pos);
      }
      need(1);
      int b = buf[pos++] & 0xff;
      n |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (n >>> 1) ^ -(n & 1);
      }
    }
  }

  @Override
  public long readLong() throws IOException {
    long n = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 63) {
        throw new InvalidNumberEncodingException("invalid long encoding at byte " + pos);
      }
      need(1);
      long b = buf[pos++] & 0xff;
      n |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (n >>> 1) ^ -(n & 1);
      }
    }
  }

  private long littleEndian(int bytes) throws EOFException {
    need(bytes);
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v |= (buf[pos + i] & 0xffL) << (8 * i);
    }
    pos += bytes;
    return v;
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat((int) littleEndian(4));
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(littleEndian(8));
  }

  private int length() throws IOException {
    return need(readLong());
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int n = length();
    Utf8 s = old != null ? old : new Utf8();
    s.setByteLength(n);
    System.arraycopy(buf, pos, s.getBytes(), 0, n);
    pos += n;
    return s;
  }

  @Override
  public String readString() throws IOException {
    int n = length();
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  @Override
  public void skipString() throws IOException {
    pos += length();
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int n = length();
    ByteBuffer b;
    if (n >= VIEW_MIN) {
      b = ByteBuffer.wrap(buf, pos, n).slice().asReadOnlyBuffer();
    } else {
      b =
          old != null && old.capacity() >= n && !old.isReadOnly()
              ? old.clear()
              : ByteBuffer.allocate(n);
      b.put(buf, pos, n).flip();
    }
    pos += n;
    return b;
  }

  @Override
  public void skipBytes() throws IOException {
    pos += length();
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    need(length);
    System.arraycopy(buf, pos, bytes, start, length);
    pos += length;
  }

  @Override
  public void skipFixed(int length) throws IOException {
    pos += need(length);
  }

  @Override
  public int readEnum() throws IOException {
    return readInt();
  }

  @Override
  public int readIndex() throws IOException {
    return readInt();
  }

  /**
   * A block's item count; a negative one is followed by the block's size in bytes. Every item of
   * our schemas takes at least a byte, so a count larger than what is left is a damaged record.
   */
  private long items() throws IOException {
    long n = readLong();
    if (n < 0) {
      readLong();
      n = -n;
    }
    if (n < 0 || n > limit - pos) {
      throw new EOFException(
          "the record claims " + n + " items at byte " + pos + " with " + (limit - pos) + " left");
    }
    return n;
  }

  /**
   * Skips whole blocks that carry their size; answers the count of the next block to skip by item.
   */
  private long skipItems() throws IOException {
    long n = readLong();
    while (n < 0) {
      pos += need(readLong());
      n = readLong();
    }
    if (n > limit - pos) {
      throw new EOFException(
          "the record claims " + n + " items at byte " + pos + " with " + (limit - pos) + " left");
    }
    return n;
  }

  @Override
  public long readArrayStart() throws IOException {
    return items();
  }

  @Override
  public long arrayNext() throws IOException {
    return items();
  }

  @Override
  public long skipArray() throws IOException {
    return skipItems();
  }

  @Override
  public long readMapStart() throws IOException {
    return items();
  }

  @Override
  public long mapNext() throws IOException {
    return items();
  }

  @Override
  public long skipMap() throws IOException {
    return skipItems();
  }
}
