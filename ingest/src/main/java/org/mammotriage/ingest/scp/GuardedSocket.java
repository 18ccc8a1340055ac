package org.mammotriage.ingest.scp;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The connection as PixelMed's association layer sees it: the A-ASSOCIATE-RQ the SCP already read
 * is put back in front of the stream, and every later PDU's length is checked against the maximum
 * the SCP offered before PixelMed allocates a buffer for it (PixelMed would allocate whatever
 * length a peer writes into a PDU header). Everything else is the real socket.
 */
final class GuardedSocket extends Socket {
  private final Socket socket;
  private final InputStream in;
  private volatile IOException failure;

  /** Thrown when a peer sends a PDU longer than it was allowed to. */
  static final class PduTooLong extends IOException {
    PduTooLong(String message) {
      super(message);
    }
  }

  GuardedSocket(Socket socket, byte[] associateRequest, int maxPduLength) throws IOException {
    this.socket = socket;
    this.in =
        new PduLengthCheck(
            new SequenceInputStream(
                new ByteArrayInputStream(associateRequest), socket.getInputStream()),
            maxPduLength);
  }

  /** What ended reading, if it was the length check or a timeout (PixelMed keeps only a text). */
  IOException failure() {
    return failure;
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return socket.getOutputStream();
  }

  @Override
  public synchronized void close() throws IOException {
    socket.close();
  }

  @Override
  public boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public InetAddress getInetAddress() {
    return socket.getInetAddress();
  }

  @Override
  public InetAddress getLocalAddress() {
    return socket.getLocalAddress();
  }

  @Override
  public int getPort() {
    return socket.getPort();
  }

  @Override
  public int getLocalPort() {
    return socket.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return socket.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return socket.getLocalSocketAddress();
  }

  @Override
  public synchronized int getReceiveBufferSize() throws SocketException {
    return socket.getReceiveBufferSize();
  }

  @Override
  public synchronized void setReceiveBufferSize(int size) throws SocketException {
    socket.setReceiveBufferSize(size);
  }

  @Override
  public synchronized int getSendBufferSize() throws SocketException {
    return socket.getSendBufferSize();
  }

  @Override
  public synchronized void setSendBufferSize(int size) throws SocketException {
    socket.setSendBufferSize(size);
  }

  @Override
  public int getSoLinger() throws SocketException {
    return socket.getSoLinger();
  }

  @Override
  public synchronized int getSoTimeout() throws SocketException {
    return socket.getSoTimeout();
  }

  @Override
  public synchronized void setSoTimeout(int timeout) throws SocketException {
    socket.setSoTimeout(timeout);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return socket.getTcpNoDelay();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    socket.setTcpNoDelay(on);
  }

  @Override
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  public boolean isConnected() {
    return socket.isConnected();
  }

  /** Follows the PDU headers as they pass and refuses a length over the limit. */
  private final class PduLengthCheck extends FilterInputStream {
    private final long maxPduLength;
    private final byte[] header = new byte[6];
    private int headerRead;
    private long bodyLeft;

    PduLengthCheck(InputStream in, int maxPduLength) {
      super(in);
      this.maxPduLength = maxPduLength;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return checked(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    private int checked(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      for (int i = 0; i < n; i++) {
        if (bodyLeft > 0) {
          long skip = Math.min(bodyLeft, n - i);
          bodyLeft -= skip;
          i += (int) skip - 1;
          continue;
        }
        header[headerRead++] = b[off + i];
        if (headerRead == 6) {
          headerRead = 0;
          check();
        }
      }
      return n;
    }

    private void check() throws PduTooLong {
      int type = header[0] & 0xff;
      long length =
          (header[2] & 0xffL) << 24
              | (header[3] & 0xffL) << 16
              | (header[4] & 0xffL) << 8
              | header[5] & 0xffL;
      long limit =
          switch (type) {
            case 0x04 -> maxPduLength + 6; // some senders count the PDV headers; tolerate it
            case 0x01 -> AssociateRequest.MAX_LENGTH;
            case 0x05, 0x06, 0x07 -> 4;
            default -> -1;
          };
      if (limit < 0) {
        throw new PduTooLong(String.format("unknown PDU type 0x%02x", type));
      }
      if (length > limit) {
        throw new PduTooLong(
            "PDU type "
                + type
                + " of "
                + length
                + " bytes, more than the "
                + limit
                + " allowed (ingest.dicom.max.pdu.length)");
      }
      bodyLeft = length;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("skip is not used on an association stream");
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
