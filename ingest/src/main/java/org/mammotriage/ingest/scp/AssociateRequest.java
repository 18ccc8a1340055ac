package org.mammotriage.ingest.scp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The A-ASSOCIATE-RQ PDU (PS3.8 9.3.2), read by the SCP itself before PixelMed sees the connection,
 * so that a caller is refused with A-ASSOCIATE-RJ, not accepted and then aborted, and so that the
 * wait for it is bounded (ARTIM). Also writes the two PDUs the SCP sends on its own: A-ASSOCIATE-RJ
 * and A-ABORT.
 */
record AssociateRequest(byte[] pdu, String calledAe, String callingAe) {
  static final int TYPE = 0x01;

  /** An A-ASSOCIATE-RQ is small (a few presentation contexts); this bounds what a peer can send. */
  static final int MAX_LENGTH = 1 << 20;

  /** Result, source and reason of an A-ASSOCIATE-RJ (PS3.8 Table 9-21). */
  enum Rejection {
    CALLING_AE_NOT_RECOGNIZED(1, 1, 3),
    CALLED_AE_NOT_RECOGNIZED(1, 1, 7),
    TEMPORARY_CONGESTION(2, 3, 1),
    LOCAL_LIMIT_EXCEEDED(2, 3, 2);

    final int result;
    final int source;
    final int reason;

    Rejection(int result, int source, int reason) {
      this.result = result;
      this.source = source;
      this.reason = reason;
    }
  }

  /** Why a connection did not bring an A-ASSOCIATE-RQ. */
  static final class NotARequest extends IOException {
    final int pduType;

    NotARequest(int pduType, String message) {
      super(message);
      this.pduType = pduType;
    }
  }

  /** Reads one PDU; it must be an A-ASSOCIATE-RQ of at most {@link #MAX_LENGTH} bytes. */
  static AssociateRequest read(InputStream in) throws IOException {
    byte[] head = readFully(in, new byte[6], 0, 6);
    int type = head[0] & 0xff;
    long length =
        (head[2] & 0xffL) << 24
            | (head[3] & 0xffL) << 16
            | (head[4] & 0xffL) << 8
            | head[5] & 0xffL;
    if (type != TYPE) {
      throw new NotARequest(type, String.format("PDU type 0x%02x instead of A-ASSOCIATE-RQ", type));
    }
    if (length < 68 || length > MAX_LENGTH) {
      throw new NotARequest(type, "A-ASSOCIATE-RQ of " + length + " bytes");
    }
    byte[] pdu = new byte[6 + (int) length];
    System.arraycopy(head, 0, pdu, 0, 6);
    readFully(in, pdu, 6, (int) length);
    return new AssociateRequest(pdu, aeTitle(pdu, 10), aeTitle(pdu, 26));
  }

  private static String aeTitle(byte[] pdu, int at) {
    return new String(pdu, at, 16, StandardCharsets.ISO_8859_1).trim();
  }

  private static byte[] readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int k = in.read(b, off + n, len - n);
      if (k < 0) {
        throw new EOFException("connection closed before the A-ASSOCIATE-RQ was complete");
      }
      n += k;
    }
    return b;
  }

  static void reject(OutputStream out, Rejection r) throws IOException {
    out.write(
        new byte[] {0x03, 0, 0, 0, 0, 4, 0, (byte) r.result, (byte) r.source, (byte) r.reason});
    out.flush();
  }

  /** A-ABORT from the service provider (source 2) with a reason (PS3.8 Table 9-26). */
  static void abort(OutputStream out, int reason) throws IOException {
    out.write(new byte[] {0x07, 0, 0, 0, 0, 4, 0, 0, 2, (byte) reason});
    out.flush();
  }
}
