package org.mammotriage.streams;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.mammotriage.ops.OpsServer;

/**
 * A streams instance in its own JVM for the failure IT: {@code StreamsMain BOOTSTRAP MODEL_DIR
 * STATE_DIR}.
 */
public final class StreamsMain {
  private StreamsMain() {}

  public static void main(String[] args) throws Exception {
    StreamsApp app =
        new StreamsApp(
            StreamsItSupport.config(args[0], Path.of(args[2]), Map.of()),
            Path.of(args[1]),
            OpsServer.newRegistry());
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  done.countDown();
                }));
    app.start();
    done.await();
  }
}
