package org.mammotriage.ingest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs dcmtk's storescu (the sending modality) and reads the response it got for each file. */
final class Storescu {
  private Storescu() {}

  /** File → "Success", an error text, or "NOT_SENT: ..." when storescu could not read the file. */
  static Map<String, String> send(
      int port, String callingAe, List<String> extraArgs, List<Path> files) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("storescu", "-v", "-nh", "-aet", callingAe, "-aec", "MAMMOTRIAGE"));
    cmd.addAll(extraArgs);
    cmd.add("127.0.0.1");
    cmd.add(String.valueOf(port));
    files.forEach(f -> cmd.add(f.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    Map<String, String> result = new LinkedHashMap<>();
    String current = null;
    for (String line : out.split("\n")) {
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
    for (Path f : files) {
      result.putIfAbsent(
          f.toString(), "NO_RESPONSE: association failed; storescu said: " + tail(out));
    }
    return result;
  }

  private static String tail(String s) {
    return s.length() > 400 ? s.substring(s.length() - 400) : s;
  }
}
