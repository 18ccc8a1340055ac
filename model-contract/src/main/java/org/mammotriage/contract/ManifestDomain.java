package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.contract.domain.Range;
import org.mammotriage.contract.domain.ValidatedDomain;

/**
 * The {@code domain} section of {@code model.json}, read and written for {@link ModelManifest} only
 * (it stays the one reader and writer of the file). Layout:
 *
 * <pre>
 * "domain": {
 *   "how": "...", "manufacturers": [...], "manufacturer_models": [...],
 *   "presentation_intents": ["FOR PRESENTATION"],
 *   "pixel_spacing_mm": {"min": a, "max": b}, "original_rows": {...}, "original_columns": {...},
 *   "image_statistics": {"mean": {"min","max"}, "std": {"min","max"}},
 *   "ood": {"method": "mahalanobis", "input": "image_encoder.embedding", "mean": [D],
 *           "precision": [[D]xD], "shrinkage": s, "threshold": t, "false_flag_rate": r,
 *           "validation_views": n, "validation_set": "..."}
 * }
 * </pre>
 */
final class ManifestDomain {
  private ManifestDomain() {}

  static ValidatedDomain read(JsonNode d, int embeddingDim, List<String> problems) {
    if (d.isMissingNode() || d.isNull()) {
      return null;
    }
    if (!d.isObject()) {
      problems.add("domain must be an object");
      return null;
    }
    JsonNode stats = d.path("image_statistics");
    OodReference ood = readOod(d.path("ood"), embeddingDim, problems);
    return new ValidatedDomain(
        strings(d, "manufacturers", problems),
        strings(d, "manufacturer_models", problems),
        strings(d, "presentation_intents", problems),
        range(d.path("pixel_spacing_mm"), "domain.pixel_spacing_mm", problems),
        range(d.path("original_rows"), "domain.original_rows", problems),
        range(d.path("original_columns"), "domain.original_columns", problems),
        range(stats.path("mean"), "domain.image_statistics.mean", problems),
        range(stats.path("std"), "domain.image_statistics.std", problems),
        ood,
        d.path("how").asText(""));
  }

  private static OodReference readOod(JsonNode o, int embeddingDim, List<String> problems) {
    if (o.isMissingNode() || o.isNull()) {
      return null;
    }
    String method = o.path("method").asText("");
    if (!OodReference.METHODS.contains(method)) {
      problems.add("domain.ood.method must be one of " + OodReference.METHODS);
      return null;
    }
    JsonNode m = o.path("mean");
    int dim = m.size();
    if (!m.isArray() || dim == 0 || (embeddingDim > 0 && dim != embeddingDim)) {
      problems.add("domain.ood.mean must be an array of encoder.embedding_dim numbers");
      return null;
    }
    double[] mean = new double[dim];
    for (int i = 0; i < dim; i++) {
      mean[i] = m.get(i).asDouble();
    }
    JsonNode p = o.path("precision");
    if (!p.isArray() || p.size() != dim) {
      problems.add("domain.ood.precision must be a " + dim + "x" + dim + " array");
      return null;
    }
    double[][] prec = new double[dim][dim];
    for (int i = 0; i < dim; i++) {
      if (p.get(i).size() != dim) {
        problems.add("domain.ood.precision must be a " + dim + "x" + dim + " array");
        return null;
      }
      for (int j = 0; j < dim; j++) {
        prec[i][j] = p.get(i).get(j).asDouble();
      }
    }
    double threshold = o.path("threshold").asDouble(Double.NaN);
    double rate = o.path("false_flag_rate").asDouble(Double.NaN);
    if (!(threshold > 0) || !(rate > 0 && rate < 1)) {
      problems.add("domain.ood.threshold must be > 0 and domain.ood.false_flag_rate in (0, 1)");
      return null;
    }
    return new OodReference(
        method,
        mean,
        prec,
        o.path("shrinkage").asDouble(0),
        threshold,
        rate,
        o.path("validation_views").asInt(0),
        o.path("validation_set").asText(""));
  }

  static ObjectNode write(ObjectMapper json, ValidatedDomain d) {
    ObjectNode j = json.createObjectNode();
    j.put("how", d.how());
    d.manufacturers().forEach(j.putArray("manufacturers")::add);
    d.manufacturerModels().forEach(j.putArray("manufacturer_models")::add);
    d.presentationIntents().forEach(j.putArray("presentation_intents")::add);
    putRange(j, "pixel_spacing_mm", d.pixelSpacingMm());
    putRange(j, "original_rows", d.originalRows());
    putRange(j, "original_columns", d.originalColumns());
    ObjectNode stats = j.putObject("image_statistics");
    putRange(stats, "mean", d.imageMean());
    putRange(stats, "std", d.imageStd());
    OodReference o = d.ood();
    if (o != null) {
      ObjectNode on = j.putObject("ood");
      on.put("method", o.method());
      on.put("input", "image_encoder.embedding");
      on.put(
          "score",
          "squared Mahalanobis distance (x - mean)^T precision (x - mean); a view is out of"
              + " domain when it exceeds threshold");
      on.put("shrinkage", o.shrinkage());
      on.put("threshold", o.threshold());
      on.put("false_flag_rate", o.falseFlagRate());
      on.put("validation_views", o.validationViews());
      on.put("validation_set", o.validationSet());
      ArrayNode mean = on.putArray("mean");
      for (double v : o.mean()) {
        mean.add((float) v);
      }
      ArrayNode prec = on.putArray("precision");
      for (double[] row : o.precision()) {
        ArrayNode r = prec.addArray();
        for (double v : row) {
          r.add(v);
        }
      }
    }
    return j;
  }

  private static void putRange(ObjectNode j, String key, Range r) {
    if (r != null) {
      ObjectNode n = j.putObject(key);
      n.put("min", r.min());
      n.put("max", r.max());
    }
  }

  private static Range range(JsonNode n, String path, List<String> problems) {
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.path("min").isNumber() || !n.path("max").isNumber()) {
      problems.add(path + " must be {\"min\": number, \"max\": number}");
      return null;
    }
    Range r = new Range(n.path("min").asDouble(), n.path("max").asDouble());
    if (r.min() > r.max()) {
      problems.add(path + ".min must not exceed its max");
    }
    return r;
  }

  private static List<String> strings(JsonNode d, String key, List<String> problems) {
    List<String> out = new ArrayList<>();
    JsonNode a = d.path(key);
    if (a.isMissingNode()) {
      return out;
    }
    if (!a.isArray()) {
      problems.add("domain." + key + " must be an array of strings");
      return out;
    }
    a.forEach(v -> out.add(v.asText()));
    return out;
  }
}
