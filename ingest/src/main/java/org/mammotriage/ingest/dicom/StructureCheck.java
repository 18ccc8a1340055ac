package org.mammotriage.ingest.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Walks the element structure of a DICOM file before PixelMed parses it, so that nothing a sender
 * controls can make the parser recurse, allocate or print without bound. The walk is iterative (an
 * explicit stack, never recursion) and reads each byte once, skipping values. It refuses, with a
 * reason code: sequences nested deeper than {@link Limits#maxSequenceDepth()} and more elements
 * (items and fragments included) than {@link Limits#maxElements()} ({@link Reason#LIMIT_EXCEEDED});
 * a text value longer than {@link Limits#maxValueLength()} ({@link Reason#LIMIT_EXCEEDED}); a
 * length that runs past the end of the file or of its enclosing item, an unknown VR, a duplicate
 * element, a delimiter out of place, encapsulated pixel data that is not a run of items, and file
 * meta information without a Transfer Syntax UID ({@link Reason#CORRUPT}). PixelMed prints the last
 * few of these to standard error and carries on; here they are named once, in the rejection.
 */
public final class StructureCheck {
  private static final long UNDEFINED = 0xFFFFFFFFL;
  private static final int PIXEL_DATA = 0x7FE00010;
  private static final Set<String> TEXT_VRS =
      Set.of(
          "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI",
          "UR", "UT");
  private static final Set<String> LONG_LENGTH_VRS =
      Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV");
  private static final Set<String> OTHER_VRS =
      Set.of(
          "AT", "FL", "FD", "OB", "OD", "OF", "OL", "OV", "OW", "SL", "SQ", "SS", "SV", "UL", "UN",
          "US", "UV");

  /**
   * What the walk found: the transfer syntax it read the data set in, its extent, where zero
   * padding after the last element starts in the file (-1: none, or a deflated data set), and,
   * where the top-level Pixel Data is native (not encapsulated) in a little-endian, not deflated
   * file, the file offset and length of its value (else -1), so the pixels can be read without
   * another parse.
   */
  public record Summary(
      String transferSyntaxUid,
      int elements,
      int deepestSequence,
      long paddingFrom,
      long pixelDataOffset,
      long pixelDataLength) {
    public Summary(String transferSyntaxUid, int elements, int deepestSequence, long paddingFrom) {
      this(transferSyntaxUid, elements, deepestSequence, paddingFrom, -1, -1);
    }

    /** True when the pixel data's value can be read from the file at {@link #pixelDataOffset}. */
    public boolean nativePixelsAt() {
      return pixelDataOffset >= 0;
    }
  }

  /** Top-level values the walk keeps, so that a rejection can still name the instance. */
  private static final Set<Integer> IDENTITY =
      Set.of(0x00080016, 0x00080018, 0x00080060, 0x0020000D, 0x0020000E);

  private final Limits limits;
  private final Reader in;
  private final AttributeList identity;
  private int elements;
  private int deepest;
  private boolean directPixels; // the data set's positions are file offsets, little endian
  private long pixelOffset = -1;
  private long pixelLength = -1;
  private long paddingFrom = -1;

  private StructureCheck(Limits limits, Reader in, AttributeList identity) {
    this.limits = limits;
    this.in = in;
    this.identity = identity;
  }

  /** Checks a whole file (meta information, data set, pixel data items, trailing elements). */
  public static Summary check(Path file, Limits limits) throws RejectedException {
    return check(file, limits, new AttributeList());
  }

  /**
   * Checks a whole file and puts into {@code identity} the SOP Class and Instance, Study and Series
   * UIDs, Modality and Transfer Syntax UID as far as it got, each only when it is short enough to
   * be one (so that a rejection names the instance without carrying what a corrupted length
   * swallowed).
   */
  public static Summary check(Path file, Limits limits, AttributeList identity)
      throws RejectedException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65_536)) {
      return new StructureCheck(limits, new Reader(raw, Files.size(file)), identity).walk();
    } catch (EOFException e) {
      throw new RejectedException(
          Reason.CORRUPT, "the file ends inside an element (truncated?)", e);
    } catch (IOException e) {
      throw new RejectedException(Reason.CORRUPT, "not a readable DICOM file: " + e, e);
    }
  }

  /**
   * The transfer syntaxes whose encoding the walk (and PixelMed) knows; any other would be parsed
   * by PixelMed on a guess, so it is refused before that.
   */
  static final Set<String> READABLE =
      Set.of(
          "1.2.840.10008.1.2",
          "1.2.840.10008.1.2.1",
          "1.2.840.10008.1.2.1.99",
          "1.2.840.10008.1.2.2",
          "1.2.840.10008.1.2.4.50",
          "1.2.840.10008.1.2.4.51",
          "1.2.840.10008.1.2.4.57",
          "1.2.840.10008.1.2.4.70",
          "1.2.840.10008.1.2.4.80",
          "1.2.840.10008.1.2.4.81",
          "1.2.840.10008.1.2.4.90",
          "1.2.840.10008.1.2.4.91",
          "1.2.840.10008.1.2.5");

  private Summary walk() throws IOException, RejectedException {
    String ts = readPreambleAndMeta();
    if (!READABLE.contains(ts)) {
      throw new RejectedException(
          Values.isUid(ts) ? Reason.UNSUPPORTED_TRANSFER_SYNTAX : Reason.INVALID_UID,
          "transfer syntax " + Values.uidForMessage(ts) + " is not one ingest reads");
    }
    boolean implicit = ts.equals("1.2.840.10008.1.2");
    boolean bigEndian = ts.equals("1.2.840.10008.1.2.2");
    if (ts.equals("1.2.840.10008.1.2.1.99")) {
      in.inflate();
    }
    directPixels =
        ts.equals("1.2.840.10008.1.2") || ts.equals("1.2.840.10008.1.2.1"); // native LE only
    walkDataSet(implicit, bigEndian);
    return new Summary(
        ts,
        elements,
        deepest,
        ts.equals("1.2.840.10008.1.2.1.99") ? -1 : paddingFrom,
        pixelOffset,
        pixelLength);
  }

  /**
   * Reads the 128-byte preamble and "DICM" if present, then the group 0002 elements (explicit VR
   * little endian). Returns the transfer syntax of the data set; a file without meta information is
   * read as PixelMed reads it, by guessing explicit or implicit VR little endian.
   */
  private String readPreambleAndMeta() throws IOException, RejectedException {
    byte[] head = in.peek(136);
    boolean preamble =
        head.length >= 132
            && head[128] == 'D'
            && head[129] == 'I'
            && head[130] == 'C'
            && head[131] == 'M';
    if (preamble) {
      in.skip(132);
    }
    byte[] first = in.peek(6);
    if (first.length < 6) {
      throw new RejectedException(Reason.CORRUPT, "too short to be a DICOM file");
    }
    if ((first[0] & 0xff | (first[1] & 0xff) << 8) != 0x0002) {
      if (preamble) {
        throw new RejectedException(Reason.CORRUPT, "no file meta information after DICM");
      }
      boolean explicit = isVr(new String(first, 4, 2, StandardCharsets.ISO_8859_1));
      return explicit ? "1.2.840.10008.1.2.1" : "1.2.840.10008.1.2";
    }
    String ts = null;
    Set<Integer> seen = new HashSet<>();
    while (true) {
      byte[] next = in.peek(2);
      if (next.length < 2 || (next[0] & 0xff | (next[1] & 0xff) << 8) != 0x0002) {
        break;
      }
      int tag = in.tag(false);
      count();
      if (!seen.add(tag)) {
        throw corrupt("file meta element %s occurs twice", tagText(tag));
      }
      String vr = in.ascii(2);
      if (!isVr(vr) || vr.equals("SQ")) {
        throw corrupt("file meta element %s has the VR '%s'", tagText(tag), printable(vr));
      }
      long len = LONG_LENGTH_VRS.contains(vr) ? in.longFormLength(false) : in.u16(false);
      checkValueLength(tag, vr, len, Long.MAX_VALUE);
      if (tag == 0x00020010) {
        ts = new String(in.bytes((int) len), StandardCharsets.ISO_8859_1).replace("\0", "").trim();
        keep(tag, ts);
      } else {
        in.skip(len);
      }
    }
    // A stale (0002,0000) group length is common in files whose meta UIDs were edited by a tool
    // that did not recount it; the group ends where group 0002 ends, which is how it was read
    // here, so a mismatch alone does not make a file corrupt (a valid image is never refused).
    if (ts == null || ts.isEmpty()) {
      throw new RejectedException(
          Reason.CORRUPT, "the file meta information has no Transfer Syntax UID (0002,0010)");
    }
    return ts;
  }

  /** One level of the walk: a data set (the top one or an item's) or a sequence. */
  private static final class Frame {
    final boolean sequence;
    final long end; // -1: undefined length, ends with a delimiter (or, at the top, the file)
    final long limit; // the nearest defined end at or above this frame
    final boolean implicit;
    final boolean bigEndian;
    final Set<Integer> tags = new HashSet<>();

    Frame(boolean sequence, long end, long limit, boolean implicit, boolean bigEndian) {
      this.sequence = sequence;
      this.end = end;
      this.limit = limit;
      this.implicit = implicit;
      this.bigEndian = bigEndian;
    }
  }

  private void walkDataSet(boolean implicit, boolean bigEndian)
      throws IOException, RejectedException {
    Deque<Frame> stack = new ArrayDeque<>();
    Frame top = new Frame(false, -1, in.size(), implicit, bigEndian);
    stack.push(top);
    int sequences = 0;
    while (true) {
      Frame f = stack.peek();
      if (f.end >= 0 && in.position() >= f.end) {
        if (in.position() > f.end) {
          throw corrupt("an element runs past the end of its %s", f.sequence ? "sequence" : "item");
        }
        stack.pop();
        sequences -= f.sequence ? 1 : 0;
        continue;
      }
      if (in.atEnd()) {
        if (f != top) {
          throw corrupt("the file ends inside a sequence (truncated?)");
        }
        return;
      }
      int tag = in.tag(f.bigEndian);
      if (tag >>> 16 == 0xFFFE) {
        long len = in.u32(f.bigEndian);
        Frame popped = delimiterOrItem(stack, f, tag, len);
        sequences -= popped != null && popped.sequence ? 1 : 0;
        continue;
      }
      if (f.sequence) {
        throw corrupt("element %s inside a sequence but outside an item", tagText(tag));
      }
      if (f == top && tag == 0) {
        long at = in.position() - 4;
        if (f.tags.isEmpty()) {
          throw corrupt("no data element before zero bytes (an empty or zeroed file?)");
        }
        if (in.remainingIsZero()) {
          paddingFrom = at; // zero padding after the last element: PixelMed reads it as (0000,0000)
          return;
        }
        throw corrupt("element (0000,0000) in the data set");
      }
      if (tag >>> 16 == 0x0000 || tag >>> 16 == 0x0002) {
        throw corrupt("command or file meta element %s inside the data set", tagText(tag));
      }
      count();
      if (!f.tags.add(tag)) {
        throw corrupt("element %s occurs twice in one data set", tagText(tag));
      }
      String vr;
      long len;
      if (f.implicit) {
        vr = dictionaryVr(tag);
        len = in.u32(f.bigEndian);
      } else {
        vr = in.ascii(2);
        if (!isVr(vr)) {
          throw corrupt("element %s has the VR '%s'", tagText(tag), printable(vr));
        }
        len = LONG_LENGTH_VRS.contains(vr) ? in.longFormLength(f.bigEndian) : in.u16(f.bigEndian);
      }
      // a UN element holds implicit VR little endian (PS3.5 6.2.2); PixelMed reads one whose tag
      // the dictionary knows as a sequence as a sequence, so it is walked as one
      boolean unknownVr = !f.implicit && vr.equals("UN");
      if (unknownVr && dictionaryVr(tag).equals("SQ")) {
        vr = "SQ";
      }
      boolean undefined = len == UNDEFINED;
      if (undefined && tag == PIXEL_DATA) {
        walkFragments(f);
      } else if (vr.equals("SQ") || undefined && (vr.equals("UN") || f.implicit)) {
        if (++sequences > limits.maxSequenceDepth()) {
          throw new RejectedException(
              Reason.LIMIT_EXCEEDED,
              String.format(
                  Locale.ROOT,
                  "sequences nested deeper than %d (ingest.limit.sequence.depth)",
                  limits.maxSequenceDepth()));
        }
        deepest = Math.max(deepest, sequences);
        boolean implicitItems = f.implicit || unknownVr;
        boolean bigEndianItems = f.bigEndian && !unknownVr;
        long end = undefined ? -1 : endOf(f, tag, len);
        stack.push(new Frame(true, end, end >= 0 ? end : f.limit, implicitItems, bigEndianItems));
      } else if (undefined) {
        throw corrupt("element %s (%s) has an undefined length", tagText(tag), vr);
      } else {
        checkValueLength(tag, vr, len, f.limit);
        if (f == top && tag == PIXEL_DATA && directPixels && pixelOffset < 0) {
          pixelOffset = in.position();
          pixelLength = len;
        }
        if (f == top && len <= 64 && IDENTITY.contains(tag)) {
          keep(tag, new String(in.bytes((int) len), StandardCharsets.ISO_8859_1));
        } else {
          in.skip(len);
        }
      }
    }
  }

  /** An item or a delimiter read in frame {@code f}; returns the frame it closed, if any. */
  private Frame delimiterOrItem(Deque<Frame> stack, Frame f, int tag, long len)
      throws RejectedException {
    int element = tag & 0xFFFF;
    if (f.sequence && element == 0xE000) {
      count();
      long end = len == UNDEFINED ? -1 : endOf(f, tag, len);
      stack.push(new Frame(false, end, end >= 0 ? end : f.limit, f.implicit, f.bigEndian));
      return null;
    }
    if (f.sequence && element == 0xE0DD && f.end < 0) {
      return stack.pop();
    }
    if (!f.sequence && element == 0xE00D && f.end < 0 && stack.size() > 1) {
      return stack.pop();
    }
    throw corrupt("%s where it cannot be", tagText(tag));
  }

  /** Encapsulated pixel data: a run of items with defined lengths, then a sequence delimiter. */
  private void walkFragments(Frame f) throws IOException, RejectedException {
    while (true) {
      int tag = in.tag(f.bigEndian);
      long len = in.u32(f.bigEndian);
      if (tag == 0xFFFEE0DD) {
        return;
      }
      if (tag != 0xFFFEE000 || len == UNDEFINED) {
        throw corrupt(
            "encapsulated pixel data holds %s where a fragment item belongs", tagText(tag));
      }
      count();
      if (len % 2 != 0) {
        throw corrupt("a pixel data fragment has the odd length %d", len);
      }
      endOf(f, tag, len);
      in.skip(len);
    }
  }

  private long endOf(Frame f, int tag, long len) throws RejectedException {
    long end = in.position() + len;
    if (end > f.limit) {
      throw corrupt(
          "%s claims %d bytes but only %d remain in its %s (truncated?)",
          tagText(tag),
          len,
          Math.max(0, f.limit - in.position()),
          f.limit == in.size() ? "file" : "item");
    }
    return end;
  }

  private void checkValueLength(int tag, String vr, long len, long limit) throws RejectedException {
    if (TEXT_VRS.contains(vr) && len > limits.maxValueLength()) {
      throw new RejectedException(
          Reason.LIMIT_EXCEEDED,
          String.format(
              Locale.ROOT,
              "element %s (%s) is %d bytes long, more than %d (ingest.limit.header.value.length)",
              tagText(tag),
              vr,
              len,
              limits.maxValueLength()));
    }
    if (in.position() + len > Math.min(limit, in.size())) {
      throw corrupt(
          "element %s claims %d bytes but only %d remain (truncated?)",
          tagText(tag), len, Math.max(0, Math.min(limit, in.size()) - in.position()));
    }
  }

  private void keep(int tag, String value) {
    try {
      Attribute a = AttributeFactory.newAttribute(new AttributeTag(tag >>> 16, tag & 0xFFFF));
      a.addValue(value.replace("\0", "").trim());
      identity.put(a);
    } catch (DicomException | RuntimeException e) {
      // a value PixelMed will not hold: the rejection goes without it
    }
  }

  private void count() throws RejectedException {
    if (++elements > limits.maxElements()) {
      throw new RejectedException(
          Reason.LIMIT_EXCEEDED,
          String.format(
              Locale.ROOT,
              "more than %d elements, items and fragments (ingest.limit.elements)",
              limits.maxElements()));
    }
  }

  /** The VR an implicit VR data set leaves to the dictionary; UN for private and unknown tags. */
  private static String dictionaryVr(int tag) {
    if ((tag & 0xFFFF) == 0) {
      return "UL"; // group length
    }
    byte[] vr =
        DicomDictionary.StandardDictionary.getValueRepresentationFromTag(
            new AttributeTag(tag >>> 16, tag & 0xFFFF));
    return vr == null ? "UN" : new String(vr, StandardCharsets.US_ASCII);
  }

  private static boolean isVr(String vr) {
    return TEXT_VRS.contains(vr) || OTHER_VRS.contains(vr);
  }

  private static String tagText(int tag) {
    return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
  }

  /** A peer's bytes as printable ASCII, for a message. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return b.toString();
  }

  private static RejectedException corrupt(String format, Object... args) {
    return new RejectedException(Reason.CORRUPT, String.format(Locale.ROOT, format, args));
  }

  /** A byte source that knows its position and, unless inflating, how many bytes are left. */
  private static final class Reader {
    private InputStream in;
    private long size;
    private long pos;

    Reader(InputStream in, long size) {
      this.in = in;
      this.size = size;
    }

    long position() {
      return pos;
    }

    long size() {
      return size;
    }

    /** From here on the bytes are deflated (Deflated Explicit VR Little Endian). */
    void inflate() {
      in = new BufferedInputStream(new InflaterInputStream(in, new Inflater(true)), 65_536);
      size = Long.MAX_VALUE; // the inflated length is not known in advance
    }

    byte[] peek(int n) throws IOException {
      in.mark(n);
      byte[] b = in.readNBytes(n);
      in.reset();
      return b;
    }

    boolean atEnd() throws IOException {
      return peek(1).length == 0;
    }

    boolean remainingIsZero() throws IOException {
      while (true) {
        int b = in.read();
        if (b < 0) {
          return true;
        }
        pos++;
        if (b != 0) {
          return false;
        }
      }
    }

    int u8() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      pos++;
      return b;
    }

    int u16(boolean bigEndian) throws IOException {
      int a = u8();
      int b = u8();
      return bigEndian ? a << 8 | b : b << 8 | a;
    }

    long u32(boolean bigEndian) throws IOException {
      long a = u16(bigEndian);
      long b = u16(bigEndian);
      return bigEndian ? a << 16 | b : b << 16 | a;
    }

    int tag(boolean bigEndian) throws IOException {
      int group = u16(bigEndian);
      int element = u16(bigEndian);
      return group << 16 | element;
    }

    /**
     * The value length of an explicit VR element whose VR has the long form (PS3.5 7.1.2: two
     * reserved bytes, then 32 bits), read as PixelMed reads it: reserved bytes that are zero, or
     * ASCII "00" (a known writer bug), are followed by the 32-bit length; any other value is taken
     * as a 16-bit length in the short form (PixelMed logs "incorrect short Value Length Form ...
     * compensating"). The walk has to follow the file exactly as PixelMed will, or its checks vouch
     * for elements PixelMed never reads: a flipped bit in the reserved bytes of (0002,0001) once
     * had PixelMed skip 256 bytes, lose the transfer syntax, guess, and try to read a value of 775
     * MB that the walk had never seen.
     */
    long longFormLength(boolean bigEndian) throws IOException {
      int reserved = u16(bigEndian);
      return reserved == 0 || reserved == 0x3030 ? u32(bigEndian) : reserved;
    }

    String ascii(int n) throws IOException {
      return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    byte[] bytes(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException();
      }
      pos += n;
      return b;
    }

    void skip(long n) throws IOException {
      long left = n;
      while (left > 0) {
        long k = in.skip(left);
        if (k <= 0) {
          if (in.read() < 0) {
            throw new EOFException();
          }
          k = 1;
        }
        left -= k;
      }
      pos += n;
    }
  }
}
