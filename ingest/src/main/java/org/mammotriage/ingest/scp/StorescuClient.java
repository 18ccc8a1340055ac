package org.mammotriage.ingest.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sends files over one DICOM association with dcmtk's {@code storescu}, as a modality would, and
 * reads the response the SCP gave each file from storescu's verbose output. The demo's and replay's
 * archive sender use it, and so do ingest's tests against the real SCP.
 */
public final class StorescuClient {
  private StorescuClient() {}

  /**
   * File → the response status text ("Success" or the error storescu printed), {@code NOT_SENT:
   * ...} when storescu could not read the file, or {@code NO_RESPONSE ...} with the tail of its
   * output when the association failed before the file's response.
   */
  public static Map<String, String> send(
      String host,
      int port,
      String callingAe,
      String calledAe,
      List<String> extraArgs,
      List<Path> files)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of("storescu", "-v", "-nh", "-aet", callingAe, "-aec", calledAe));
    cmd.addAll(extraArgs);
    cmd.add(host);
    cmd.add(String.valueOf(port));
    files.forEach(f -> cmd.add(f.toString()));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run dcmtk's storescu ("
              + e.getMessage()
              + "); install it with ./run bootstrap (Debian package dcmtk)",
          e);
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    return responses(text, files, exit);
  }

  /** Reads storescu's verbose output: which response each file got. */
  static Map<String, String> responses(String text, List<Path> files, int exit) {
    Map<String, String> result = new LinkedHashMap<>();
    String current = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("I: Sending file: ")) {
        current = line.substring("I: Sending file: ".length()).trim();
      } else if (current != null && line.contains("Received Store Response")) {
        result.put(current, line.substring(line.indexOf('(') + 1, line.lastIndexOf(')')));
        current = null;
      } else if (current != null && line.startsWith("E: Bad DICOM file")) {
        result.put(current, "NOT_SENT: " + line);
        current = null;
      }
    }
    String tail = text.length() > 400 ? text.substring(text.length() - 400) : text;
    for (Path f : files) {
      result.putIfAbsent(
          f.toString(),
          String.format(
              Locale.ROOT,
              "NO_RESPONSE: association failed (storescu exit %d); storescu said: %s",
              exit,
              tail));
    }
    return result;
  }
}
