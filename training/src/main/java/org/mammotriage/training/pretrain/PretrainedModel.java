package org.mammotriage.training.pretrain;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import java.nio.file.StandardCopyOption;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.model.PretrainNet;
import org.mammotriage.training.report.Tokenizer;

/**
 * A pretrained model folder: {@code pretrain.json} (format, method, architecture, training
 * settings, steps done), {@code pretrain.params} (DJL parameters of the whole {@link PretrainNet})
 * and {@code vocab.txt}. Everything needed to rebuild the encoders exactly.
 */
public record PretrainedModel(
    PretrainMethod method,
    ModelConfig config,
    PretrainNet net,
    Tokenizer tokenizer,
    JsonNode info) {
  public static final String JSON_FILE = "pretrain.json";
  public static final String PARAMS_FILE = "pretrain.params";
  public static final String FORMAT = "mammotriage-pretrain/1";

  /** The exam-model encoder type under which a pretrained image tower is stored. */
  public static final String ENCODER_TYPE = "pretrain-image-tower";

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The description JSON of a model folder. */
  static ObjectNode describe(
      PretrainMethod method, ModelConfig config, JsonNode training, int steps) {
    ObjectNode j = JSON.createObjectNode();
    j.put("format", FORMAT);
    j.put("method", method.id());
    j.set("config", JSON.valueToTree(config));
    j.set("training", training);
    j.put("steps_done", steps);
    return j;
  }

  /** Writes the parameters of {@code net} to {@code file} atomically. */
  static void writeParams(PretrainNet net, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      net.saveParameters(out);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void readParams(PretrainNet net, NDManager manager, Path file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      net.loadParameters(manager, in);
    } catch (MalformedModelException e) {
      throw new IOException(
          file + " does not match the architecture in its " + JSON_FILE + ": " + e.getMessage(), e);
    }
  }

  /** Rebuilds a network of {@code method} and {@code config}, initialised for loading. */
  static PretrainNet build(PretrainMethod method, ModelConfig config, NDManager manager) {
    PretrainNet net = new PretrainNet(method, config);
    net.initialize(manager, DataType.FLOAT32, net.inputShapes(2));
    return net;
  }

  /** Loads a pretrained model folder written by {@code ./run train pretrain}. */
  public static PretrainedModel load(Path dir, NDManager manager) throws IOException {
    Path json = dir.resolve(JSON_FILE);
    if (!Files.isRegularFile(json) || !Files.isRegularFile(dir.resolve(PARAMS_FILE))) {
      throw new IOException(
          dir
              + " is not a pretrained model folder (needs "
              + JSON_FILE
              + " and "
              + PARAMS_FILE
              + "); make one with ./run train pretrain --method clip|mvclip|glam|mama --manifest M --out"
              + " DIR");
    }
    JsonNode j = JSON.readTree(json.toFile());
    if (!FORMAT.equals(j.path("format").asText())) {
      throw new IOException(
          json + " has format '" + j.path("format").asText() + "', expected " + FORMAT);
    }
    PretrainMethod method = PretrainMethod.parse(j.path("method").asText());
    ModelConfig config = JSON.treeToValue(j.path("config"), ModelConfig.class);
    Tokenizer tokenizer = Tokenizer.load(dir);
    PretrainNet net = build(method, config, manager);
    readParams(net, manager, dir.resolve(PARAMS_FILE));
    return new PretrainedModel(method, config, net, tokenizer, j);
  }

  /** The image tower's architecture as stored in an exam model (see {@link #ENCODER_TYPE}). */
  public JsonNode encoderConfig() {
    return JSON.valueToTree(config);
  }

  /** Rebuilds an image tower from {@link #encoderConfig()}. */
  public static ai.djl.nn.Block imageTowerFrom(JsonNode encoderConfig) {
    try {
      return JSON.treeToValue(encoderConfig, ModelConfig.class).imageTower();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a pretraining model config: " + encoderConfig, e);
    }
  }
}
