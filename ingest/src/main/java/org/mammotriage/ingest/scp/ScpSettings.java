package org.mammotriage.ingest.scp;

import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;

/**
 * Everything the SCP is configured with (ingest.dicom.* keys; see {@link IngestConfig}): where it
 * listens, whom it accepts, how long it waits for what, and how many connections it holds.
 *
 * @param tls null for plain TCP
 * @param clientAuth required, requested or none (TLS only)
 */
public record ScpSettings(
    int port,
    String bindAddress,
    String aeTitle,
    Set<String> allowedCallers,
    long maxBytes,
    int maxAssociations,
    int maxAssociationsPerPeer,
    long requestTimeoutMs,
    long idleTimeoutMs,
    long readTimeoutMs,
    int maxPduLength,
    long shutdownGraceMs,
    SSLContext tls,
    String clientAuth,
    List<String> tlsProtocols) {

  public ScpSettings {
    allowedCallers = Set.copyOf(allowedCallers);
    tlsProtocols = List.copyOf(tlsProtocols);
  }

  /** The defaults of every key but the ones given. */
  public static ScpSettings of(
      int port, String aeTitle, Set<String> allowedCallers, long maxBytes, int maxAssociations) {
    return new ScpSettings(
        port,
        "",
        aeTitle,
        allowedCallers,
        maxBytes,
        maxAssociations,
        Math.min(16, maxAssociations),
        10_000,
        60_000,
        30_000,
        65_536,
        30_000,
        null,
        "none",
        List.of());
  }

  public static ScpSettings fromConfig(MammoConfig cfg, long maxBytes) {
    return new ScpSettings(
        cfg.getInt(IngestConfig.DICOM_PORT),
        cfg.getString(IngestConfig.BIND_ADDRESS),
        cfg.getString(IngestConfig.AE_TITLE),
        Set.copyOf(cfg.getList(IngestConfig.ALLOWED_CALLING_AE_TITLES)),
        maxBytes,
        cfg.getInt(IngestConfig.MAX_ASSOCIATIONS),
        cfg.getInt(IngestConfig.MAX_ASSOCIATIONS_PER_PEER),
        cfg.getLong(IngestConfig.REQUEST_TIMEOUT_MS),
        cfg.getLong(IngestConfig.IDLE_TIMEOUT_MS),
        cfg.getLong(IngestConfig.READ_TIMEOUT_MS),
        cfg.getInt(IngestConfig.MAX_PDU_LENGTH),
        cfg.getLong(IngestConfig.SHUTDOWN_GRACE_MS),
        cfg.getBoolean(IngestConfig.TLS_ENABLED) ? TlsContexts.fromConfig(cfg) : null,
        cfg.getString(IngestConfig.TLS_CLIENT_AUTH),
        cfg.getList(IngestConfig.TLS_PROTOCOLS));
  }

  public ScpSettings withPort(int p) {
    return new ScpSettings(
        p,
        bindAddress,
        aeTitle,
        allowedCallers,
        maxBytes,
        maxAssociations,
        maxAssociationsPerPeer,
        requestTimeoutMs,
        idleTimeoutMs,
        readTimeoutMs,
        maxPduLength,
        shutdownGraceMs,
        tls,
        clientAuth,
        tlsProtocols);
  }
}
