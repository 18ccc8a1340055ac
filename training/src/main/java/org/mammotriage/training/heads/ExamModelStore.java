package org.mammotriage.training.heads;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Saves and loads a trained {@link ExamModel} as a directory: {@code exam_model.json} (input, heads
 * config, encoder type and config) and {@code exam_model.params} (DJL parameters of encoder and
 * heads). Encoders are rebuilt by type through registered factories, so any encoder family (the
 * pretraining ResNets, test CNNs) can be stored.
 */
public final class ExamModelStore {
  public static final String JSON_FILE = "exam_model.json";
  public static final String PARAMS_FILE = "exam_model.params";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Function<JsonNode, Block>> factories = new TreeMap<>();

  /** Registers how to rebuild an encoder type from its config. */
  public ExamModelStore register(String encoderType, Function<JsonNode, Block> factory) {
    factories.put(encoderType, factory);
    return this;
  }

  public void save(ExamModel m, Path dir) throws IOException {
    Files.createDirectories(dir);
    ObjectNode j = JSON.createObjectNode();
    j.put("format", "mammotriage-exam-model/1");
    j.put("name", m.name());
    j.put("intended_use", m.intendedUse());
    ObjectNode input = j.putObject("input");
    input.put("height", m.height());
    input.put("width", m.width());
    input.put("mean", m.normMean());
    input.put("std", m.normStd());
    j.set("heads", JSON.valueToTree(m.heads().config()));
    ObjectNode enc = j.putObject("encoder");
    enc.put("type", m.encoderType());
    enc.set("config", m.encoderConfig());
    JSON.writeValue(dir.resolve(JSON_FILE).toFile(), j);
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMS_FILE))))) {
      // encoder then heads: the composed scorer is a view over them and has no state of its own
      m.encoder().saveParameters(out);
      m.heads().saveParameters(out);
    }
  }

  public ExamModel load(Path dir, NDManager manager) throws IOException {
    Path json = dir.resolve(JSON_FILE);
    if (!Files.isRegularFile(json)) {
      throw new IOException(
          dir
              + " is not a trained exam model (no "
              + JSON_FILE
              + "); train one with ./run train demo-model or pass the directory it wrote");
    }
    JsonNode j = JSON.readTree(json.toFile());
    String type = j.path("encoder").path("type").asText();
    Function<JsonNode, Block> factory = factories.get(type);
    if (factory == null) {
      throw new IOException(
          json
              + " names encoder type '"
              + type
              + "', which this build cannot rebuild; known: "
              + factories.keySet());
    }
    JsonNode encoderConfig = j.path("encoder").path("config");
    Block encoder = factory.apply(encoderConfig);
    HeadsConfig hc = JSON.treeToValue(j.path("heads"), HeadsConfig.class);
    JsonNode in = j.path("input");
    int h = in.path("height").asInt();
    int w = in.path("width").asInt();
    ExamModel m =
        new ExamModel(
            j.path("name").asText(),
            j.path("intended_use").asText(),
            type,
            encoderConfig,
            encoder,
            new ExamHeads(hc),
            h,
            w,
            in.path("mean").asDouble(),
            in.path("std").asDouble());
    encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 1, h, w));
    m.heads()
        .initialize(manager, DataType.FLOAT32, new Shape(1, 4, hc.embeddingDim()), new Shape(1, 4));
    try (DataInputStream pin =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS_FILE))))) {
      encoder.loadParameters(manager, pin);
      m.heads().loadParameters(manager, pin);
    } catch (MalformedModelException e) {
      throw new IOException(
          dir.resolve(PARAMS_FILE) + " does not match " + json + ": " + e.getMessage(), e);
    }
    return m;
  }
}
