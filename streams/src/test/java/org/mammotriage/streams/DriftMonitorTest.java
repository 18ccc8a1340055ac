package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.contract.domain.ValidatedDomain;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.avro.DomainView;
import org.mammotriage.schemas.avro.ExamScore;
import org.slf4j.LoggerFactory;

/**
 * PSI per source against the reference, the sampling allowance, gauges and one log per crossing.
 */
class DriftMonitorTest {
  static final Random R = new Random(7);

  /** A reference of 2000 exams, suspicion ~ U(0, 0.5), and matching category shares. */
  static ValidatedDomain domain() {
    double[] sus = new double[2000];
    for (int i = 0; i < sus.length; i++) {
      sus[i] = R.nextDouble() * 0.5;
    }
    DriftReference ref =
        new DriftReference(
            Map.of(DriftReference.SUSPICION, DriftReference.Histogram.of(0, 1, 10, sus)),
            Map.of("suspicious", 0.0, "routine", 0.6, "low", 0.4),
            "test");
    return new ValidatedDomain(
        List.of(), List.of(), List.of(), null, null, null, null, null, null, ref, "test");
  }

  static ExamScore exam(String ae, double suspicion, String category) {
    ExamScore base =
        ExamReleaseTest.release(TriageTest.scored(suspicion), Category.fromLabel(category), false)
            .examScore();
    return ExamScore.newBuilder(base)
        .setSourceAe(ae)
        .setManufacturer(ae)
        .setManufacturerModel("M")
        .setDomainVerdict("IN_DOMAIN")
        .setDomainViews(List.<DomainView>of())
        .build();
  }

  @Test
  void shouldAlertForTheShiftedSourceOnlyAndLogOncePerCrossing() {
    MeterRegistry reg = OpsServer.newRegistry();
    DriftMonitor m = new DriftMonitor(reg, new DriftMonitor.Settings(100, 20, 0.2, 10));
    ValidatedDomain d = domain();
    Logger log = (Logger) LoggerFactory.getLogger(DriftMonitor.class);
    ListAppender<ILoggingEvent> app = new ListAppender<>();
    app.start();
    log.addAppender(app);
    try {
      for (int i = 0; i < 60; i++) {
        double s = R.nextDouble() * 0.5;
        m.record(exam("GOOD", s, s < 0.2 ? "low" : "routine"), "model", d);
        m.record(exam("BAD", 0.7 + 0.3 * R.nextDouble(), "suspicious"), "model", d);
      }
    } finally {
      log.detachAppender(app);
    }
    assertThat(m.figures().get("ae:BAD").psi().get(DriftReference.SUSPICION)).isGreaterThan(2);
    assertThat(m.figures().get("ae:GOOD").drifted(0.2)).isEmpty();
    assertThat(gauge(reg, "mammotriage_drift_alert", "BAD")).isEqualTo(1.0);
    assertThat(gauge(reg, "mammotriage_drift_alert", "GOOD")).isEqualTo(0.0);
    List<String> warns = new ArrayList<>();
    app.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        .forEach(e -> warns.add(e.getFormattedMessage()));
    assertThat(warns)
        .as("one line per crossing: suspicion and category of ae:BAD and of vendor:BAD/M")
        .hasSize(4)
        .allMatch(w -> w.contains("ae:BAD") || w.contains("vendor:BAD/M"));
  }

  @Test
  void shouldKeepTheSlidingWindowsCountsEqualToCountingItsExamsAfresh() {
    DriftReference ref = domain().reference();
    DriftStats.Window w = new DriftStats.Window(ref);
    java.util.ArrayDeque<ExamScore> kept = new java.util.ArrayDeque<>();
    for (int i = 0; i < 250; i++) {
      double s = i < 150 ? R.nextDouble() * 0.5 : 0.6 + 0.4 * R.nextDouble();
      ExamScore e = exam("A", s, s >= 0.6 ? "suspicious" : s < 0.2 ? "low" : "routine");
      if (i % 7 == 0) {
        e = ExamScore.newBuilder(e).setDomainVerdict("OUT_OF_DOMAIN").build();
      }
      kept.addLast(e);
      w.add(e);
      if (kept.size() > 40) {
        w.remove(kept.removeFirst());
      }
      if (i % 50 == 49) {
        DriftStats.Figures fresh = DriftStats.of(ref, new ArrayList<>(kept));
        DriftStats.Figures slid = w.figures();
        assertThat(slid.exams()).isEqualTo(40);
        assertThat(slid.psi()).isEqualTo(fresh.psi());
        assertThat(slid.allowance()).isEqualTo(fresh.allowance());
        assertThat(slid.oodRate()).isEqualTo(fresh.oodRate());
        slid.counts().forEach((k, v) -> assertThat(v).as(k).isEqualTo(fresh.counts().get(k)));
      }
    }
    // the last 40 are all shifted: the suspicion PSI says so
    assertThat(w.figures().drifted(0.2)).contains(DriftReference.SUSPICION);
  }

  @Test
  void shouldGiveTheUsualPsiAndAnAllowanceThatShrinksWithTheSample() {
    long[] e = {50, 50};
    assertThat(DriftReference.psi(e, new long[] {50, 50})).isZero();
    // shares 0.5/0.5 vs 0.9/0.1: (0.4 ln 1.8) + (-0.4 ln 0.2) = 0.879
    assertThat(DriftReference.psi(e, new long[] {90, 10}))
        .isCloseTo(0.879, org.assertj.core.data.Offset.offset(0.001));
    // (9 + 2 sqrt(18)) (1/30 + 1/1000) = 17.485 * 0.034333 = 0.600
    assertThat(DriftStats.allowance(10, 30, 1000))
        .isCloseTo(0.600, org.assertj.core.data.Offset.offset(0.001));
    assertThat(DriftStats.allowance(10, 3000, 1000)).isLessThan(0.025);
  }

  static double gauge(MeterRegistry r, String name, String source) {
    return r.find(name).tag("source", source).gauge().value();
  }
}
