package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The {@code calibration} section of {@code model.json}, read and written for {@link ModelManifest}
 * only. Layout:
 *
 * <pre>
 * "calibration": {
 *   "method": "platt" | "isotonic",
 *   "applies_to": "malignancy",
 *   "platt": {"a": a, "b": b},                       (platt: p' = σ(a·logit(p) + b))
 *   "isotonic": {"x": [...], "y": [...]},            (isotonic: knots, linear between)
 *   "fitted_on": "...", "selection": "...",
 *   "evaluation": { ... ECE / Brier before and after, with CIs, on the test split ... }
 * }
 * </pre>
 */
final class ManifestCalibration {
  static final String KEY = "calibration";
  static final String APPLIES_TO = "malignancy";

  private ManifestCalibration() {}

  static Calibration read(JsonNode c, List<String> problems) {
    if (c.isMissingNode() || c.isNull()) {
      return null;
    }
    if (!c.isObject()) {
      problems.add(KEY + " must be an object");
      return null;
    }
    int start = problems.size();
    String method = c.path("method").asText("");
    String applies = c.path("applies_to").asText(APPLIES_TO);
    if (!APPLIES_TO.equals(applies)) {
      problems.add(
          KEY
              + ".applies_to must be '"
              + APPLIES_TO
              + "' (the only output calibrated), found '"
              + applies
              + "'");
    }
    Calibration cal;
    if (Calibration.PLATT.equals(method)) {
      JsonNode p = c.path("platt");
      cal =
          new Calibration(
              method,
              number(p, "a", KEY + ".platt.a", problems),
              number(p, "b", KEY + ".platt.b", problems),
              null,
              null,
              c.path("fitted_on").asText(""),
              c.path("selection").asText(""),
              c.path("evaluation"));
    } else if (Calibration.ISOTONIC.equals(method)) {
      JsonNode iso = c.path("isotonic");
      cal =
          new Calibration(
              method,
              Double.NaN,
              Double.NaN,
              numbers(iso.path("x"), KEY + ".isotonic.x", problems),
              numbers(iso.path("y"), KEY + ".isotonic.y", problems),
              c.path("fitted_on").asText(""),
              c.path("selection").asText(""),
              c.path("evaluation"));
    } else {
      problems.add(
          KEY + ".method must be one of " + Calibration.METHODS + ", found " + c.path("method"));
      return null;
    }
    if (problems.size() == start) {
      // parameters that are not numbers are reported once, not again as out of range
      problems.addAll(cal.problems(KEY));
    }
    return cal;
  }

  static ObjectNode write(ObjectMapper json, Calibration cal) {
    ObjectNode c = json.createObjectNode();
    c.put("method", cal.method());
    c.put("applies_to", APPLIES_TO);
    if (Calibration.PLATT.equals(cal.method())) {
      ObjectNode p = c.putObject("platt");
      p.put("a", cal.a());
      p.put("b", cal.b());
    } else {
      ObjectNode iso = c.putObject("isotonic");
      ArrayNode x = iso.putArray("x");
      ArrayNode y = iso.putArray("y");
      for (int i = 0; i < cal.knotsX().length; i++) {
        x.add(cal.knotsX()[i]);
        y.add(cal.knotsY()[i]);
      }
    }
    c.put("fitted_on", cal.fittedOn());
    c.put("selection", cal.selection());
    if (!cal.evaluation().isMissingNode()) {
      c.set("evaluation", cal.evaluation());
    }
    return c;
  }

  private static double number(JsonNode n, String key, String path, List<String> problems) {
    if (!n.path(key).isNumber()) {
      problems.add(path + " must be a number");
      return Double.NaN;
    }
    return n.path(key).asDouble();
  }

  private static double[] numbers(JsonNode a, String path, List<String> problems) {
    if (!a.isArray()) {
      problems.add(path + " must be an array of numbers");
      return new double[0];
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      if (!a.get(i).isNumber()) {
        problems.add(path + "[" + i + "] must be a number");
        return new double[0];
      }
      out[i] = a.get(i).asDouble();
    }
    return out;
  }
}
