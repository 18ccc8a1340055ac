package org.mammotriage.ingest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mammotriage.ingest.scp.StorescuClient;

/** dcmtk's storescu as the sending modality of the tests: to the local SCP, called MAMMOTRIAGE. */
final class Storescu {
  private Storescu() {}

  /** File → "Success", an error text, or "NOT_SENT: ..." when storescu could not read the file. */
  static Map<String, String> send(
      int port, String callingAe, List<String> extraArgs, List<Path> files) throws Exception {
    return StorescuClient.send("127.0.0.1", port, callingAe, "MAMMOTRIAGE", extraArgs, files);
  }
}
