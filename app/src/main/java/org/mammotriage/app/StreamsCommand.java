package org.mammotriage.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.scoring.ModelAdminHandler;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mammotriage streams}: exam assembly, scoring and routing against a Kafka cluster. */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description =
        "Run the Kafka Streams triage app: assemble four-view exams, score them, route them (exactly once).")
public final class StreamsCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsCommand.class);

  @Mixin ConfigOptions config;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(
      names = "--model",
      paramLabel = "MODEL_DIR",
      description = "Model directory (scoring.model.dir).")
  Path model;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "State store directory (streams.state.dir).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    var def = ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define()));
    if (config.listRequested(def)) {
      return 0;
    }
    Map<String, String> f = new java.util.LinkedHashMap<>();
    if (bootstrap != null) {
      f.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    }
    if (stateDir != null) {
      f.put(TriageStreamsConfig.STATE_DIR, stateDir.toString());
    }
    MammoConfig cfg = config.load(def, f);
    Path dir =
        model != null
            ? model
            : cfg.getString(ScoringConfig.MODEL_DIR).isBlank()
                ? null
                : Path.of(cfg.getString(ScoringConfig.MODEL_DIR));
    if (dir == null) {
      System.err.println(
          "no model: pass --model MODEL_DIR (a directory with model.json and its ONNX files, e.g. image_encoder.onnx and exam_head.onnx)"
              + " or set scoring.model.dir");
      return 2;
    }
    var registry = RegistryStartup.check(cfg, RegistryStartup.streamsWrites(cfg));
    OpsServer ops =
        OpsServer.start(
            cfg.getString(CommonConfig.OPS_HTTP_BIND_ADDRESS),
            cfg.getInt(CommonConfig.OPS_HTTP_PORT),
            OpsServer.newRegistry());
    StreamsApp app = new StreamsApp(cfg, dir, ops.registry());
    ops.setReadiness(RegistryStartup.readiness(app::isRunning, registry));
    ops.handle(
        ModelAdminHandler.PATH,
        ModelAdminHandler.fromTokenFile(
            app.switcher(), cfg.getString(ScoringConfig.ADMIN_TOKEN_FILE)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("SIGTERM: closing Kafka Streams cleanly");
                  app.close();
                  ops.close();
                  stopped.countDown();
                },
                "streams-shutdown"));
    app.start();
    System.out.printf(
        "streams app %s started against %s with model %s on %s (JVM collectors: %s)%n",
        cfg.getString(TriageStreamsConfig.APPLICATION_ID),
        cfg.getString(CommonConfig.KAFKA_BOOTSTRAP),
        app.scorer().activeModel().id(),
        app.scorer().device(),
        StreamsApp.jvmCollectors());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
