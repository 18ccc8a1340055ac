package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.contract.domain.DriftReference;
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
        readReference(d.path("reference"), problems),
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
    String input = o.path("input").asText(OodReference.INPUT_EMBEDDING);
    if (!input.equals(OodReference.INPUT_EMBEDDING) && !input.equals(OodReference.INPUT_FEATURES)) {
      problems.add(
          "domain.ood.input must be "
              + OodReference.INPUT_EMBEDDING
              + " or "
              + OodReference.INPUT_FEATURES);
      return null;
    }
    int featureDim =
        input.equals(OodReference.INPUT_EMBEDDING) ? embeddingDim : o.path("feature_dim").asInt(0);
    List<OodReference.Layer> layers = new ArrayList<>();
    if (method.equals(OodReference.MAHALANOBIS)) {
      // the first layout: one Gaussian on the embedding, at the top level of "ood"
      OodReference.Layer l = readLayer(o, "domain.ood", "embedding", 0, 1.0, problems);
      if (l == null) {
        return null;
      }
      if (featureDim <= 0) {
        featureDim = l.dim();
      }
      layers.add(l);
    } else {
      JsonNode ls = o.path("layers");
      if (!ls.isArray() || ls.isEmpty()) {
        problems.add("domain.ood.layers must be a non-empty array");
        return null;
      }
      for (int i = 0; i < ls.size(); i++) {
        JsonNode ln = ls.get(i);
        OodReference.Layer l =
            readLayer(
                ln,
                "domain.ood.layers[" + i + "]",
                ln.path("name").asText("layer" + i),
                ln.path("offset").asInt(-1),
                ln.path("scale").asDouble(Double.NaN),
                problems);
        if (l == null) {
          return null;
        }
        if (l.offset() < 0 || (featureDim > 0 && l.offset() + l.dim() > featureDim)) {
          problems.add("domain.ood.layers[" + i + "] must lie within feature_dim " + featureDim);
          return null;
        }
        if (!(l.scale() > 0)) {
          problems.add("domain.ood.layers[" + i + "].scale must be > 0");
          return null;
        }
        layers.add(l);
      }
    }
    if (featureDim <= 0 || layers.get(0).offset() + layers.get(0).dim() > featureDim) {
      problems.add("domain.ood: the OOD reference does not fit " + input + " (" + featureDim + ")");
      return null;
    }
    double threshold = o.path("threshold").asDouble(Double.NaN);
    double rate = o.path("false_flag_rate").asDouble(Double.NaN);
    if (!(threshold > 0) || !(rate > 0 && rate < 1)) {
      problems.add("domain.ood.threshold must be > 0 and domain.ood.false_flag_rate in (0, 1)");
      return null;
    }
    return new OodReference(
        method,
        input,
        featureDim,
        layers,
        threshold,
        rate,
        o.path("validation_views").asInt(0),
        o.path("validation_set").asText(""));
  }

  private static DriftReference readReference(JsonNode r, List<String> problems) {
    if (r.isMissingNode() || r.isNull()) {
      return null;
    }
    java.util.Map<String, DriftReference.Histogram> hs = new java.util.LinkedHashMap<>();
    var it = r.path("histograms").fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode edges = e.getValue().path("edges");
      JsonNode counts = e.getValue().path("counts");
      if (!edges.isArray()
          || !counts.isArray()
          || edges.size() != counts.size() + 1
          || counts.isEmpty()) {
        problems.add(
            "domain.reference.histograms." + e.getKey() + " needs edges (bins + 1) and counts");
        return null;
      }
      double[] ed = new double[edges.size()];
      for (int i = 0; i < ed.length; i++) {
        ed[i] = edges.get(i).asDouble();
      }
      long[] c = new long[counts.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = counts.get(i).asLong();
      }
      hs.put(e.getKey(), new DriftReference.Histogram(ed, c));
    }
    java.util.Map<String, Double> shares = new java.util.LinkedHashMap<>();
    r.path("category_shares")
        .fields()
        .forEachRemaining(e -> shares.put(e.getKey(), e.getValue().asDouble()));
    return new DriftReference(hs, shares, r.path("how").asText(""));
  }

  private static OodReference.Layer readLayer(
      JsonNode o, String path, String name, int offset, double scale, List<String> problems) {
    JsonNode ms = o.has("means") ? o.path("means") : null;
    List<JsonNode> rows = new ArrayList<>();
    if (ms != null) {
      ms.forEach(rows::add);
    } else {
      rows.add(o.path("mean"));
    }
    if (rows.isEmpty() || !rows.get(0).isArray() || rows.get(0).isEmpty()) {
      problems.add(path + ".mean (or means) must be a non-empty array of numbers");
      return null;
    }
    int dim = rows.get(0).size();
    double[][] means = new double[rows.size()][dim];
    for (int k = 0; k < rows.size(); k++) {
      if (rows.get(k).size() != dim) {
        problems.add(path + ".means must all have " + dim + " numbers");
        return null;
      }
      for (int i = 0; i < dim; i++) {
        means[k][i] = rows.get(k).get(i).asDouble();
      }
    }
    JsonNode p = o.path("precision");
    if (!p.isArray() || p.size() != dim) {
      problems.add(path + ".precision must be a " + dim + "x" + dim + " array");
      return null;
    }
    double[][] prec = new double[dim][dim];
    for (int i = 0; i < dim; i++) {
      if (p.get(i).size() != dim) {
        problems.add(path + ".precision must be a " + dim + "x" + dim + " array");
        return null;
      }
      for (int j = 0; j < dim; j++) {
        prec[i][j] = p.get(i).get(j).asDouble();
      }
    }
    return new OodReference.Layer(
        name, offset, means, prec, o.path("shrinkage").asDouble(0), scale);
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
      on.put("input", o.input());
      if (o.method().equals(OodReference.MAHALANOBIS)) {
        on.put(
            "score",
            "squared Mahalanobis distance (x - mean)^T precision (x - mean); a view is out of"
                + " domain when it exceeds threshold");
      } else {
        on.put("feature_dim", o.featureDim());
        on.put(
            "score",
            "per layer: squared Mahalanobis distance (x - mean)^T precision (x - mean) of the"
                + " layer's slice x = features[offset, offset + width), to the nearest of the"
                + " layer's means (one per cluster of the in-domain views, tied covariance),"
                + " divided by the layer's scale; the view's score is the largest over layers; a"
                + " view is out of domain when it exceeds threshold");
      }
      on.put("threshold", o.threshold());
      on.put("false_flag_rate", o.falseFlagRate());
      on.put("validation_views", o.validationViews());
      on.put("validation_set", o.validationSet());
      if (o.method().equals(OodReference.MAHALANOBIS)) {
        writeLayer(on, o.layers().get(0));
      } else {
        ArrayNode ls = on.putArray("layers");
        for (OodReference.Layer l : o.layers()) {
          ObjectNode ln = ls.addObject();
          ln.put("name", l.name());
          ln.put("offset", l.offset());
          ln.put("scale", l.scale());
          writeLayer(ln, l);
        }
      }
    }
    DriftReference ref = d.reference();
    if (ref != null) {
      ObjectNode rn = j.putObject("reference");
      rn.put("how", ref.how());
      ObjectNode hs = rn.putObject("histograms");
      ref.histograms()
          .forEach(
              (k, h) -> {
                ObjectNode hn = hs.putObject(k);
                ArrayNode e = hn.putArray("edges");
                for (double v : h.edges()) {
                  e.add(v);
                }
                ArrayNode c = hn.putArray("counts");
                for (long v : h.counts()) {
                  c.add(v);
                }
              });
      ObjectNode cs = rn.putObject("category_shares");
      ref.categoryShares().forEach(cs::put);
    }
    return j;
  }

  private static void writeLayer(ObjectNode on, OodReference.Layer l) {
    on.put("shrinkage", l.shrinkage());
    if (l.means().length == 1) {
      ArrayNode mean = on.putArray("mean");
      for (double v : l.mean()) {
        mean.add((float) v);
      }
    } else {
      ArrayNode means = on.putArray("means");
      for (double[] m : l.means()) {
        ArrayNode mean = means.addArray();
        for (double v : m) {
          mean.add((float) v);
        }
      }
    }
    ArrayNode prec = on.putArray("precision");
    for (double[] row : l.precision()) {
      ArrayNode r = prec.addArray();
      for (double v : row) {
        r.add((float) v);
      }
    }
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
