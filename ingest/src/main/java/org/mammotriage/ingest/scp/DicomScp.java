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
import com.pixelmed.network.AnyExplicitStorePresentationContextSelectionPolicy;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mammotriage.ingest.IngestPipeline;
import org.mammotriage.ingest.Outcome;
import org.mammotriage.ingest.dicom.DimseStatus;
import org.mammotriage.ingest.dicom.Reason;
import org.mammotriage.ingest.dicom.RejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DICOM C-STORE / C-ECHO SCP on PixelMed's association layer. It answers each C-STORE itself,
 * with the outcome of the ingest pipeline: success only after Kafka acknowledged the record; else
 * the status of the outcome's {@link Reason} with a short comment (0xA700 when Kafka is
 * unavailable, so the sender retries). Received data is streamed to a temporary file (bounded by
 * the size limit), never held whole in memory.
 */
public final class DicomScp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
  private static final int C_STORE_RQ = 0x0001;
  private static final int C_ECHO_RQ = 0x0030;

  private final String aeTitle;
  private final Set<String> allowedCallers;
  private final IngestPipeline pipeline;
  private final Path spool;
  private final long maxBytes;
  private final ServerSocket server;
  private final ExecutorService associations;
  private final AtomicInteger associationIds = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean running = true;

  public DicomScp(
      int port,
      String aeTitle,
      Set<String> allowedCallers,
      IngestPipeline pipeline,
      Path spool,
      long maxBytes,
      int maxAssociations)
      throws IOException {
    this.aeTitle = aeTitle;
    this.allowedCallers = Set.copyOf(allowedCallers);
    this.pipeline = pipeline;
    this.spool = Files.createDirectories(spool);
    this.maxBytes = maxBytes;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(port));
    this.associations =
        Executors.newFixedThreadPool(
            maxAssociations,
            r -> {
              Thread t = new Thread(r, "dicom-association");
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "dicom-scp-accept");
    acceptor.start();
    LOG.info(
        "DICOM SCP {} listening on port {} (allowed calling AE titles: {})",
        aeTitle,
        port(),
        allowedCallers.isEmpty() ? "any" : allowedCallers);
  }

  public int port() {
    return server.getLocalPort();
  }

  public boolean isRunning() {
    return running && !server.isClosed();
  }

  private void acceptLoop() {
    while (running) {
      try {
        Socket s = server.accept();
        associations.submit(() -> serve(s, "A" + associationIds.incrementAndGet()));
      } catch (IOException e) {
        if (running) {
          LOG.warn("accepting a DICOM connection failed: {}", e.getMessage());
        }
      }
    }
  }

  private void serve(Socket socket, String id) {
    Association a = null;
    try {
      a =
          AssociationFactory.createNewAssociation(
              socket,
              aeTitle,
              AssociationFactory.getDefaultMaximumLengthReceived(),
              AssociationFactory.getDefaultReceiveBufferSize(),
              AssociationFactory.getDefaultSendBufferSize(),
              new AnyExplicitStorePresentationContextSelectionPolicy(),
              0);
      String caller = a.getCallingAETitle().trim();
      String tag = "[" + id + " " + caller + "]";
      if (!allowedCallers.isEmpty() && !allowedCallers.contains(caller)) {
        LOG.warn(
            "{} refused: calling AE title {} is not in ingest.dicom.allowed.calling.ae.titles",
            tag,
            caller);
        a.abort();
        return;
      }
      LOG.info("{} association accepted from {}", tag, socket.getInetAddress().getHostAddress());
      while (true) {
        MessageHandler h = new MessageHandler(spool, maxBytes);
        a.setReceivedDataHandler(h);
        try {
          a.waitForPDataPDUsUntilHandlerReportsDone();
        } catch (AReleaseException released) {
          LOG.info("{} association released", tag);
          return;
        }
        respond(a, h, caller);
      }
    } catch (DicomNetworkException | IOException | DicomException | RuntimeException e) {
      LOG.warn("[{}] association ended abnormally: {}", id, e.getMessage());
      if (a != null) {
        try {
          a.abort();
        } catch (DicomNetworkException ignored) {
          // the peer is gone already
        }
      }
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private void respond(Association a, MessageHandler h, String caller)
      throws DicomNetworkException, IOException, DicomException {
    DimseStatus status = DimseStatus.SUCCESS;
    String comment = null;
    if (h.commandField == C_STORE_RQ) {
      Outcome o = store(a, h, caller);
      status = o.dimseStatus();
      if (!o.success()) {
        comment = o.reason().isTransient() ? "RETRY: " + o.reason() : o.reason() + ": " + o.text();
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
  }

  /** Runs a received instance through the pipeline; one over the size limit was never kept. */
  private Outcome store(Association a, MessageHandler h, String caller)
      throws DicomNetworkException, IOException, DicomException {
    if (h.tooLarge) {
      h.discard(); // the pipeline logs the rejection
      return pipeline.refuse(
          new RejectedException(
              Reason.TOO_LARGE,
              "object of " + h.dataBytes + " bytes exceeds ingest.limit.bytes=" + maxBytes),
          h.sopClass,
          h.sopInstance,
          h.dataBytes,
          caller,
          "INGEST_SCP");
    }
    Path file = h.toPart10(a.getTransferSyntaxForPresentationContextID(h.pcid), caller);
    try {
      return pipeline.process(file, caller, "INGEST_SCP");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Stops accepting, lets associations in progress finish (up to the grace period), then closes.
   */
  @Override
  public void close() {
    running = false;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    associations.shutdown();
    try {
      if (!associations.awaitTermination(30, TimeUnit.SECONDS)) {
        associations.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      associations.shutdownNow();
    }
    LOG.info("DICOM SCP {} stopped", aeTitle);
  }

  /**
   * Collects one DIMSE message: the command, then (for C-STORE) the data set streamed to a spool
   * file.
   */
  static final class MessageHandler extends com.pixelmed.network.OpenReceivedDataHandler {
    private final Path spool;
    private final long maxBytes;
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

    MessageHandler(Path spool, long maxBytes) {
      this.spool = spool;
      this.maxBytes = maxBytes;
    }

    @Override
    public void sendPDataIndication(PDataPDU pdu, Association association)
        throws DicomNetworkException, DicomException, IOException {
      for (Object o : pdu.getPDVList()) {
        PresentationDataValue pdv = (PresentationDataValue) o;
        pcid = pdv.getPresentationContextID();
        if (pdv.isCommand()) {
          command.write(pdv.getValue());
          if (pdv.isLastFragment()) {
            parseCommand();
            if (!expectData) {
              setDone(true);
            }
          }
        } else {
          if (data == null) {
            dataFile = Files.createTempFile(spool, "rx-", ".part");
            data = Files.newOutputStream(dataFile);
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

    /**
     * Prefixes the received data set with a file meta header, written to a temp name and moved into
     * place.
     */
    Path toPart10(String transferSyntax, String caller) throws IOException, DicomException {
      Path part = Files.createTempFile(spool, "in-", ".tmp");
      try (OutputStream out = Files.newOutputStream(part)) {
        DicomOutputStream dos =
            new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, null);
        new FileMetaInformation(sopClass, sopInstance, transferSyntax, caller)
            .getAttributeList()
            .write(dos);
        dos.flush();
        if (dataFile != null) {
          Files.copy(dataFile, out);
        }
      } finally {
        if (dataFile != null) {
          Files.deleteIfExists(dataFile);
        }
      }
      Path done = part.resolveSibling(part.getFileName().toString().replace(".tmp", ".dcm"));
      Files.move(part, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return done;
    }
  }
}
