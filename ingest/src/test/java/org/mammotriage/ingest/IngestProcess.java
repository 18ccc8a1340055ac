package org.mammotriage.ingest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An ingest SCP in a JVM of its own, for tests that need its heap alone (LoadIT runs it under the
 * -Xmx the product ships with). Arguments: bootstrap servers, spool directory, then KEY=VALUE
 * configuration. Prints {@code PORT n} when listening; on "stop" (or end of input) closes and
 * prints {@code PEAK_HEAP_BYTES n MAX_HEAP_BYTES m AFTER_GC_MAX_BYTES g}: the sum of the heap
 * pools' peaks, the heap limit, and the most heap in use right after a collection.
 */
public final class IngestProcess {
  private IngestProcess() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> extra = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      extra.put(kv[0], kv[1]);
    }
    // the heap in use after each collection, its high-water mark: what the load needs, unlike the
    // pools' peaks, which only say how far the collector let the young generation grow
    long[] afterGc = new long[1];
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((javax.management.NotificationEmitter) gc)
          .addNotificationListener(
              (n, handback) -> {
                if (!n.getType()
                    .equals(
                        com.sun.management.GarbageCollectionNotificationInfo
                            .GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                var info =
                    com.sun.management.GarbageCollectionNotificationInfo.from(
                        (javax.management.openmbean.CompositeData) n.getUserData());
                long used = 0;
                for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                  if (!e.getKey().contains("Metaspace")
                      && !e.getKey().contains("Code")
                      && !e.getKey().contains("Compressed Class")) {
                    used += e.getValue().getUsed();
                  }
                }
                synchronized (afterGc) {
                  afterGc[0] = Math.max(afterGc[0], used);
                }
              },
              null,
              null);
    }
    try (IngestHarness h = new IngestHarness(args[0], Path.of(args[1]), extra)) {
      System.out.println("PORT " + h.port());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals("stop")) {
        // wait
      }
    }
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    long live;
    synchronized (afterGc) {
      live = afterGc[0];
    }
    System.out.println(
        "PEAK_HEAP_BYTES "
            + peak
            + " MAX_HEAP_BYTES "
            + Runtime.getRuntime().maxMemory()
            + " AFTER_GC_MAX_BYTES "
            + live);
    System.out.flush();
  }
}
