package org.mammotriage.streams;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.images.ImageStore;

/**
 * The topology's settings: quiet period, retention, view substitutions (applied by {@link
 * SlotRules}), threshold overrides (null: the model's manifest decides) and how the domain gate
 * acts ({@link DomainGate.Enforce}), and where working images are read from when a record carries
 * only a reference ({@link ImageStore}, {@code images.store.dir}).
 */
public record TriageSettings(
    long quietPeriodMs,
    long retentionMs,
    Map<String, String> substitutions,
    Double suspiciousOverride,
    Double lowOverride,
    Double risk5yOverride,
    DomainGate.Enforce domainEnforce,
    ImageStore images) {

  public TriageSettings {
    substitutions = Map.copyOf(substitutions);
    domainEnforce = domainEnforce == null ? DomainGate.Enforce.TRUE : domainEnforce;
    images = images == null ? ImageStore.NONE : images;
  }

  public TriageSettings(
      long quietPeriodMs,
      long retentionMs,
      Map<String, String> substitutions,
      Double suspiciousOverride,
      Double lowOverride,
      Double risk5yOverride,
      DomainGate.Enforce domainEnforce) {
    this(
        quietPeriodMs,
        retentionMs,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        domainEnforce,
        ImageStore.NONE);
  }

  public TriageSettings(
      long quietPeriodMs,
      long retentionMs,
      Map<String, String> substitutions,
      Double suspiciousOverride,
      Double lowOverride,
      Double risk5yOverride) {
    this(
        quietPeriodMs,
        retentionMs,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        DomainGate.Enforce.TRUE);
  }

  public static TriageSettings defaults() {
    return new TriageSettings(120_000, 7L * 24 * 3600 * 1000, Map.of(), null, null, null);
  }

  public TriageSettings withDomainEnforce(DomainGate.Enforce e) {
    return new TriageSettings(
        quietPeriodMs,
        retentionMs,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        e,
        images);
  }

  public static TriageSettings from(MammoConfig c) {
    Map<String, String> subs = new HashMap<>();
    List<String> pairs = c.getList(TriageStreamsConfig.VIEW_SUBSTITUTIONS);
    for (String p : pairs) {
      String[] kv = p.split(":");
      if (kv.length != 2) {
        throw new org.apache.kafka.common.config.ConfigException(
            TriageStreamsConfig.VIEW_SUBSTITUTIONS,
            p,
            "expected VIEW:SLOTVIEW pairs such as ML:MLO");
      }
      subs.put(
          kv[0].trim().toUpperCase(java.util.Locale.ROOT),
          kv[1].trim().toUpperCase(java.util.Locale.ROOT));
    }
    return new TriageSettings(
        c.getLong(TriageStreamsConfig.QUIET_PERIOD_MS),
        c.getLong(TriageStreamsConfig.RETENTION_MS),
        subs,
        c.getDouble(TriageStreamsConfig.THRESHOLD_SUSPICIOUS),
        c.getDouble(TriageStreamsConfig.THRESHOLD_LOW),
        c.getDouble(TriageStreamsConfig.THRESHOLD_RISK5Y),
        DomainGate.Enforce.parse(c.getString(TriageStreamsConfig.DOMAIN_ENFORCE)),
        ImageStore.open(c.getString(CommonConfig.IMAGES_STORE_DIR)));
  }

  public TriageSettings withQuietPeriod(long ms) {
    return new TriageSettings(
        ms,
        retentionMs,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        domainEnforce,
        images);
  }

  public TriageSettings withRetention(long ms) {
    return new TriageSettings(
        quietPeriodMs,
        ms,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        domainEnforce,
        images);
  }

  public TriageSettings withThresholds(Double suspicious, Double low, Double risk5y) {
    return new TriageSettings(
        quietPeriodMs, retentionMs, substitutions, suspicious, low, risk5y, domainEnforce, images);
  }

  /** The same settings reading working images from {@code store} ({@code images.store.dir}). */
  public TriageSettings withImages(ImageStore store) {
    return new TriageSettings(
        quietPeriodMs,
        retentionMs,
        substitutions,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        domainEnforce,
        store);
  }

  public TriageSettings withSubstitutions(Map<String, String> s) {
    return new TriageSettings(
        quietPeriodMs,
        retentionMs,
        s,
        suspiciousOverride,
        lowOverride,
        risk5yOverride,
        domainEnforce,
        images);
  }
}
