package org.mammotriage.ingest.scp;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.Outcome;
import org.mammotriage.ingest.dicom.DimseStatus;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.RejectedException;
import org.mammotriage.ingest.publish.DlqFields;
import org.mammotriage.ingest.scp.AssociateRequest.Rejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DICOM C-STORE / C-ECHO SCP on PixelMed's association layer. It answers each C-STORE itself,
 * with the outcome of the ingest pipeline: success only after Kafka acknowledged the record; else
 * the status of the outcome's {@link Reason} with a short comment (0xA700 when Kafka is
 * unavailable, so the sender retries). Received data is streamed to a temporary file (bounded by
 * the size limit), never held whole in memory.
 *
 * <p>It bounds what a peer controls: the SCP reads each A-ASSOCIATE-RQ itself, within the request
 * timeout (ARTIM), and refuses a calling AE title outside the allow-list, a connection over the
 * caps ({@link ConnectionGate}) and any association while it stops, with A-ASSOCIATE-RJ. Idle and
 * read timeouts end silent associations; a PDU longer than offered aborts one. On {@link #close} it
 * stops accepting, closes connections with nothing in flight, lets C-STOREs in flight finish for
 * the grace period and answers none of them with a permanent failure. Each connection has one
 * thread; the caps bound them. Every abnormal end is one log line with the association's id.
 */
public final class DicomScp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
  private static final int C_STORE_RQ = 0x0001;
  private static final int C_ECHO_RQ = 0x0030;

  /** How long after A-RELEASE-RP (or A-ABORT) the connection is closed (dcm4che's default). */
  static final int CLOSE_DELAY_MS = 50;

  static {
    PixelmedTuning.releaseCloseDelay(CLOSE_DELAY_MS);
  }

  /** Where a connection is; decides what a timeout means and what shutdown may close. */
  enum Phase {
    REQUEST,
    IDLE,
    READING,
    PROCESSING
  }

  private final ScpSettings settings;
  private final IngestPipeline pipeline;
  private final Path spool;
  private final ServerSocket server;
  private final ExecutorService connections;
  private final ThreadPoolExecutor refusals;
  private final ConnectionGate gate;
  private final ScpMetrics metrics;
  private final Set<Connection> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger associationIds = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean running = true;
  private volatile boolean draining;

  /** An SCP with the default timeouts and caps (tests, the demo). */
  public DicomScp(
      int port,
      String aeTitle,
      Set<String> allowedCallers,
      IngestPipeline pipeline,
      Path spool,
      long maxBytes,
      int maxAssociations)
      throws IOException {
    this(
        ScpSettings.of(port, aeTitle, allowedCallers, maxBytes, maxAssociations),
        pipeline,
        spool,
        new SimpleMeterRegistry());
  }

  public DicomScp(ScpSettings settings, IngestPipeline pipeline, Path spool, MeterRegistry registry)
      throws IOException {
    this.settings = settings;
    this.pipeline = pipeline;
    this.spool = Files.createDirectories(spool);
    this.gate = new ConnectionGate(settings.maxAssociations(), settings.maxAssociationsPerPeer());
    this.metrics = new ScpMetrics(registry, gate::open);
    this.server = listen(settings);
    this.connections = Executors.newCachedThreadPool(daemon("dicom-association"));
    this.refusals =
        new ThreadPoolExecutor(
            1,
            2,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(64),
            daemon("dicom-refusal"),
            new ThreadPoolExecutor.AbortPolicy());
    this.acceptor = new Thread(this::acceptLoop, "dicom-scp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.info(
        "DICOM SCP {} listening on {}port {} (allowed calling AE titles: {}; at most {}"
            + " connections, {} per peer)",
        settings.aeTitle(),
        settings.tls() != null ? "TLS " : "",
        port(),
        settings.allowedCallers().isEmpty() ? "any" : settings.allowedCallers(),
        settings.maxAssociations(),
        settings.maxAssociationsPerPeer());
  }

  private static ServerSocket listen(ScpSettings s) throws IOException {
    ServerSocket server;
    if (s.tls() == null) {
      server = new ServerSocket();
    } else {
      SSLServerSocket ssl = (SSLServerSocket) s.tls().getServerSocketFactory().createServerSocket();
      List<String> protocols = new ArrayList<>(s.tlsProtocols());
      protocols.retainAll(List.of(ssl.getSupportedProtocols()));
      if (!protocols.isEmpty()) {
        ssl.setEnabledProtocols(protocols.toArray(new String[0]));
      }
      ssl.setNeedClientAuth(s.clientAuth().equals("required"));
      if (s.clientAuth().equals("requested")) {
        ssl.setWantClientAuth(true);
      }
      server = ssl;
    }
    server.setReuseAddress(true);
    InetSocketAddress where =
        s.bindAddress().isBlank()
            ? new InetSocketAddress(s.port())
            : new InetSocketAddress(s.bindAddress(), s.port());
    try {
      server.bind(where, 128);
    } catch (IOException e) {
      server.close();
      BindException b =
          new BindException(
              "cannot listen for DICOM on "
                  + (s.bindAddress().isBlank() ? "port " + s.port() : where)
                  + " (ingest.dicom.port"
                  + (s.bindAddress().isBlank() ? "" : ", ingest.dicom.bind.address")
                  + "): "
                  + e.getMessage());
      b.initCause(e);
      throw b;
    }
    return server;
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * Whether the SCP takes connections; false once {@link #close()} has closed the listening socket
   * and its accept thread has left (not merely once the socket reads closed: the kernel keeps
   * listening until that thread's accept() returns).
   */
  public boolean isRunning() {
    return running;
  }

  /** Connections open now, associated or awaiting their A-ASSOCIATE-RQ. */
  public int openConnections() {
    return gate.open();
  }

  /** One connection the SCP serves or refuses. */
  private final class Connection {
    final String id;
    final Socket socket;
    final ConnectionGate.Ticket ticket;
    volatile Phase phase = Phase.REQUEST;
    volatile GuardedSocket guarded;

    Connection(String id, Socket socket) {
      this.id = id;
      this.socket = socket;
      this.ticket = new ConnectionGate.Ticket(socket.getInetAddress(), this::close);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }

    void timeout(Phase p) throws IOException {
      phase = p;
      long ms =
          switch (p) {
            case REQUEST -> settings.requestTimeoutMs();
            case IDLE -> settings.idleTimeoutMs();
            case READING -> settings.readTimeoutMs();
            case PROCESSING -> 0;
          };
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ms));
    }
  }

  private void acceptLoop() {
    while (running && !draining) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (running && !draining) {
          LOG.warn("accepting a DICOM connection failed: {}", e.getMessage());
        }
        continue;
      }
      if (draining) {
        // taken in the instant between closing the listening socket and accept() returning
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
        break;
      }
      Connection c = new Connection("A" + associationIds.incrementAndGet(), s);
      if (gate.admit(c.ticket) == ConnectionGate.Decision.ADMIT) {
        try {
          connections.execute(() -> serve(c));
        } catch (RejectedExecutionException e) {
          gate.release(c.ticket);
          c.close();
        }
      } else {
        refuse(c, Rejection.LOCAL_LIMIT_EXCEEDED, "limit");
      }
    }
  }

  /** Reads the request of a connection over a cap and answers A-ASSOCIATE-RJ, on a small pool. */
  private void refuse(Connection c, Rejection r, String why) {
    try {
      refusals.execute(
          () -> {
            try {
              c.timeout(Phase.REQUEST);
              handshake(c);
              AssociateRequest rq = AssociateRequest.read(c.socket.getInputStream());
              AssociateRequest.reject(c.socket.getOutputStream(), r);
              LOG.warn(
                  "[{} {}] refused with A-ASSOCIATE-RJ ({}): {} connections open, {} per peer"
                      + " allowed (ingest.dicom.max.associations, ingest.dicom.max.associations"
                      + ".per.peer)",
                  c.id,
                  DlqFields.ae(rq.callingAe()),
                  r,
                  gate.open(),
                  settings.maxAssociationsPerPeer());
            } catch (IOException e) {
              LOG.info("[{}] closed over the connection cap: {}", c.id, e.toString());
            } finally {
              metrics.refused(why);
              c.close();
            }
          });
    } catch (RejectedExecutionException e) {
      metrics.refused(why);
      c.close();
    }
  }

  private void handshake(Connection c) throws IOException {
    if (c.socket instanceof SSLSocket ssl) {
      ssl.startHandshake();
    }
  }

  private void serve(Connection c) {
    live.add(c);
    String tag = "[" + c.id + "]";
    try {
      c.timeout(Phase.REQUEST);
      handshake(c);
      AssociateRequest rq = AssociateRequest.read(c.socket.getInputStream());
      String caller = DlqFields.ae(rq.callingAe());
      tag = "[" + c.id + " " + caller + "]";
      if (draining) {
        AssociateRequest.reject(c.socket.getOutputStream(), Rejection.TEMPORARY_CONGESTION);
        metrics.refused("shutting_down");
        LOG.info("{} refused with A-ASSOCIATE-RJ (transient): the SCP is stopping", tag);
        return;
      }
      if (!settings.allowedCallers().isEmpty()
          && !settings.allowedCallers().contains(rq.callingAe())) {
        AssociateRequest.reject(c.socket.getOutputStream(), Rejection.CALLING_AE_NOT_RECOGNIZED);
        metrics.refused("calling_ae");
        LOG.warn(
            "{} refused with A-ASSOCIATE-RJ: calling AE title not in"
                + " ingest.dicom.allowed.calling.ae.titles",
            tag);
        return;
      }
      if (!gate.associated(c.ticket)) {
        return; // closed meanwhile to make room (it had been waiting longest)
      }
      c.guarded = new GuardedSocket(c.socket, rq.pdu(), settings.maxPduLength());
      Association a =
          AssociationFactory.createNewAssociation(
              c.guarded,
              settings.aeTitle(),
              settings.maxPduLength(),
              AssociationFactory.getDefaultReceiveBufferSize(),
              AssociationFactory.getDefaultSendBufferSize(),
              new StorePolicy());
      metrics.associated();
      LOG.info("{} association accepted from {}", tag, c.socket.getInetAddress().getHostAddress());
      messages(c, a, caller, tag);
    } catch (SocketTimeoutException e) {
      ended(c, tag, e);
    } catch (AssociateRequest.NotARequest e) {
      metrics.refused("not_a_request");
      LOG.info("{} closed: {}", tag, e.getMessage());
      try {
        if (e.pduType != 0x07) {
          AssociateRequest.abort(c.socket.getOutputStream(), 2); // unexpected PDU
        }
      } catch (IOException ignored) {
        // the peer is gone
      }
    } catch (SSLException e) {
      metrics.ended("tls");
      LOG.warn("{} TLS handshake failed: {}", tag, e.getMessage());
    } catch (DicomNetworkException | IOException e) {
      ended(c, tag, e);
    } catch (DicomException | RuntimeException e) {
      metrics.ended("protocol");
      LOG.warn("{} association ended: {}", tag, e.toString());
    } finally {
      live.remove(c);
      gate.release(c.ticket);
      c.close();
    }
  }

  /** One log line and one count for an association that did not end by release. */
  private void ended(Connection c, String tag, Exception e) {
    String text = String.valueOf(e.getMessage());
    IOException cause = c.guarded == null ? null : c.guarded.failure();
    if (draining && c.socket.isClosed()) {
      LOG.info("{} closed at shutdown with nothing in flight", tag);
    } else if (c.phase == Phase.REQUEST && c.ticket.released) {
      metrics.refused("evicted");
      LOG.info(
          "{} closed to make room: the longest waiting of its peer's connections without an"
              + " A-ASSOCIATE-RQ",
          tag);
    } else if (e instanceof SocketTimeoutException
        || cause instanceof SocketTimeoutException
        || text.contains("SocketTimeoutException")) {
      String kind = c.phase == Phase.REQUEST ? "request" : c.phase == Phase.IDLE ? "idle" : "read";
      metrics.timeout(kind);
      LOG.info(
          "{} closed: nothing received in time while {} (ingest.dicom.timeout.{}.ms)",
          tag,
          c.phase == Phase.REQUEST
              ? "waiting for the A-ASSOCIATE-RQ"
              : c.phase == Phase.IDLE ? "idle between messages" : "receiving a message",
          kind);
    } else if (cause instanceof GuardedSocket.PduTooLong) {
      metrics.ended("pdu_too_long");
      LOG.warn("{} aborted: {}", tag, cause.getMessage());
    } else if (text.contains("A-ABORT indication")) {
      metrics.ended("peer_abort");
      LOG.info("{} aborted by the peer", tag);
    } else if (e instanceof EOFException || text.contains("Connection closed")) {
      metrics.ended("peer_closed");
      LOG.info("{} connection closed by the peer", tag);
    } else {
      metrics.ended("protocol");
      LOG.warn("{} association ended abnormally: {}", tag, DlqFields.text(text));
    }
  }

  private void messages(Connection c, Association a, String caller, String tag)
      throws DicomNetworkException, IOException, DicomException {
    while (true) {
      MessageHandler h =
          new MessageHandler(
              spool,
              settings.maxBytes(),
              caller,
              () -> {
                try {
                  c.timeout(Phase.READING);
                } catch (IOException e) {
                  // the socket is closing; the read that follows says so
                }
              });
      c.timeout(Phase.IDLE);
      if (draining) {
        LOG.info("{} closed at shutdown between messages", tag);
        return;
      }
      a.setReceivedDataHandler(h);
      try {
        a.waitForPDataPDUsUntilHandlerReportsDone();
      } catch (AReleaseException released) {
        LOG.info("{} association released", tag);
        return;
      } finally {
        if (!h.isDone()) {
          h.discard();
        }
      }
      c.timeout(Phase.PROCESSING);
      respond(a, h, caller);
    }
  }

  private void respond(Association a, MessageHandler h, String caller)
      throws DicomNetworkException, IOException, DicomException {
    DimseStatus status = DimseStatus.SUCCESS;
    String comment = null;
    Path received = null;
    try {
      if (h.commandField == C_STORE_RQ) {
        if (!h.tooLarge) {
          received = h.toPart10();
        }
        Outcome o = store(h, received, caller);
        status = o.dimseStatus();
        if (!o.success()) {
          comment =
              o.reason().isTransient() ? "RETRY: " + o.reason() : o.reason() + ": " + o.text();
        }
      } else if (h.commandField != C_ECHO_RQ) {
        status = DimseStatus.UNRECOGNIZED_OPERATION;
        comment = "only C-STORE and C-ECHO are supported";
      }
      byte[] rsp =
          h.commandField == C_ECHO_RQ
              ? Responses.echo(h.sopClass, h.messageId)
              : Responses.store(h.sopClass, h.sopInstance, h.messageId, status.code(), comment);
      a.send(h.pcid, rsp, null);
    } finally {
      // after the response: the sender goes on with its next instance while the spool file
      // (tens of MB for a full-field mammogram) is unlinked, which costs the kernel milliseconds
      if (received != null) {
        Files.deleteIfExists(received);
      }
    }
  }

  /**
   * Runs a received instance (its Part 10 file, which the caller deletes after responding) through
   * the pipeline; one over the size limit was never kept ({@code file} null).
   */
  private Outcome store(MessageHandler h, Path file, String caller) throws IOException {
    if (h.tooLarge) {
      h.discard(); // the pipeline logs the rejection
      return pipeline.refuse(
          new RejectedException(
              Reason.TOO_LARGE,
              "object of "
                  + h.dataBytes
                  + " bytes exceeds ingest.limit.bytes="
                  + settings.maxBytes()),
          h.sopClass,
          h.sopInstance,
          h.dataBytes,
          caller,
          "INGEST_SCP");
    }
    return pipeline.process(file, caller, "INGEST_SCP");
  }

  /**
   * Stops: refuses new associations (A-ASSOCIATE-RJ, transient) and closes connections with nothing
   * in flight at once; C-STOREs in flight finish and are answered, for up to {@code
   * ingest.shutdown.grace.ms}; then the rest is closed (their senders get no status and retry,
   * never a permanent failure).
   */
  @Override
  public void close() {
    if (!running && draining) {
      return;
    }
    draining = true;
    // the listening socket first: once isRunning() reads false, no new connection can be taken.
    // Closing a ServerSocket that another thread is blocked accepting on only swaps its file
    // descriptor; the kernel keeps listening (and completes handshakes) until that accept()
    // returns, so wait for the acceptor to leave before saying the SCP has stopped.
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    if (Thread.currentThread() != acceptor) {
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    running = false;
    gate.closePending();
    for (Connection c : live) {
      if (c.phase == Phase.IDLE || c.phase == Phase.REQUEST) {
        c.close();
      }
    }
    connections.shutdown();
    refusals.shutdown();
    try {
      if (!connections.awaitTermination(settings.shutdownGraceMs(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "{} association(s) still busy after ingest.shutdown.grace.ms={}: closing them; their"
                + " senders get no status and send again",
            live.size(),
            settings.shutdownGraceMs());
        live.forEach(Connection::close);
        connections.shutdownNow();
        connections.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      live.forEach(Connection::close);
      connections.shutdownNow();
    }
    LOG.info("DICOM SCP {} stopped", settings.aeTitle());
  }

  /**
   * Collects one DIMSE message: the command, then (for C-STORE) the data set streamed to a spool
   * file.
   */
  static final class MessageHandler extends com.pixelmed.network.OpenReceivedDataHandler {
    /** A command set is a few hundred bytes; this bounds what a peer can make the SCP buffer. */
    static final int MAX_COMMAND_BYTES = 64 * 1024;

    private final Path spool;
    private final long maxBytes;
    private final String caller;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private Path dataFile;
    private OutputStream data;
    long dataBytes;
    boolean tooLarge;
    int commandField = -1;
    int messageId;
    String sopClass = "";
    String sopInstance = "";
    byte pcid;
    private boolean expectData;
    private final Runnable onFirstPdu;
    private boolean started;

    MessageHandler(Path spool, long maxBytes, String caller, Runnable onFirstPdu) {
      this.spool = spool;
      this.caller = caller;
      this.maxBytes = maxBytes;
      this.onFirstPdu = onFirstPdu;
    }

    @Override
    public void sendPDataIndication(PDataPDU pdu, Association association)
        throws DicomNetworkException, DicomException, IOException {
      if (!started) {
        started = true;
        onFirstPdu.run();
      }
      for (Object o : pdu.getPDVList()) {
        PresentationDataValue pdv = (PresentationDataValue) o;
        pcid = pdv.getPresentationContextID();
        if (pdv.isCommand()) {
          if (command.size() + pdv.getValue().length > MAX_COMMAND_BYTES) {
            throw new DicomException("a DIMSE command set over " + MAX_COMMAND_BYTES + " bytes");
          }
          command.write(pdv.getValue());
          if (pdv.isLastFragment()) {
            parseCommand();
            if (!expectData) {
              setDone(true);
            }
          }
        } else {
          if (data == null) {
            // the file meta header first, then the data set as it arrives: the Part 10 file is
            // written once, with no second copy
            dataFile = Files.createTempFile(spool, "rx-", ".part");
            data = new BufferedOutputStream(Files.newOutputStream(dataFile), 1 << 16);
            writeFileMeta(data, association.getTransferSyntaxForPresentationContextID(pcid));
          }
          byte[] v = pdv.getValue();
          dataBytes += v.length;
          if (dataBytes > maxBytes) {
            tooLarge =
                true; // keep reading the stream to stay in step with the peer, but drop the bytes
          } else {
            data.write(v);
          }
          if (pdv.isLastFragment()) {
            data.close();
            setDone(true);
          }
        }
      }
    }

    private void parseCommand() throws IOException, DicomException {
      AttributeList c = new AttributeList();
      c.read(
          new DicomInputStream(
              new ByteArrayInputStream(command.toByteArray()),
              TransferSyntax.ImplicitVRLittleEndian,
              false));
      commandField = Attribute.getSingleIntegerValueOrDefault(c, TagFromName.CommandField, -1);
      messageId = Attribute.getSingleIntegerValueOrDefault(c, TagFromName.MessageID, 0);
      sopClass = Attribute.getSingleStringValueOrEmptyString(c, TagFromName.AffectedSOPClassUID);
      sopInstance =
          Attribute.getSingleStringValueOrEmptyString(c, TagFromName.AffectedSOPInstanceUID);
      int dataSetType =
          Attribute.getSingleIntegerValueOrDefault(c, TagFromName.CommandDataSetType, 0x0101);
      expectData = dataSetType != 0x0101;
    }

    /** Deletes what was spooled of a data set that will not be used. */
    void discard() throws IOException {
      if (data != null) {
        data.close();
      }
      if (dataFile != null) {
        Files.deleteIfExists(dataFile);
      }
    }

    private void writeFileMeta(OutputStream out, String transferSyntax)
        throws IOException, DicomException {
      DicomOutputStream dos =
          new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, null);
      new FileMetaInformation(sopClass, sopInstance, transferSyntax, caller)
          .getAttributeList()
          .write(dos);
      dos.flush();
    }

    /**
     * The received Part 10 file (file meta header and data set, written as the data arrived) moved
     * from its temporary name into place.
     */
    Path toPart10() throws IOException, DicomException {
      if (dataFile == null) { // a C-STORE without a data set: an empty one
        dataFile = Files.createTempFile(spool, "rx-", ".part");
        try (OutputStream out = Files.newOutputStream(dataFile)) {
          writeFileMeta(out, TransferSyntax.ExplicitVRLittleEndian);
        }
      }
      Path done =
          dataFile.resolveSibling(dataFile.getFileName().toString().replace(".part", ".dcm"));
      Files.move(dataFile, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      dataFile = null;
      return done;
    }
  }
}
