package org.mammotriage.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code mammotriage demo}: the end-to-end demo. Not built yet (issue: the newcomer's path). */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "End-to-end demo on a synthetic archive with the bundled synthetic demo model (not for clinical use).")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println(
        "The demo is not available yet: it needs ingest, streams and the demo model, which are still"
            + " being built. Try './run mammotriage broker' or './run test' meanwhile.");
    return 3;
  }
}
