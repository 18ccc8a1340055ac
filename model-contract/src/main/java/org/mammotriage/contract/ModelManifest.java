package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.contract.domain.ValidatedDomain;

/**
 * {@code model.json}: identity, intended use, model input size and normalisation, outputs,
 * thresholds with how they were chosen, sha256 of each file, opset and evaluation metrics (DESIGN
 * §5). Parsed strictly: every problem found is reported at once.
 *
 * <p>{@code contract_version} says which files the directory holds. Contract 1 (the key absent, as
 * in every directory written before it existed): {@link #EXAM_SCORER} scores a whole exam from its
 * four images, {@link #IMAGE_ENCODER} gives an embedding. Contract 2: {@link #IMAGE_ENCODER}
 * encodes one view into its embedding plus the per-view outputs named in {@code
 * encoder.per_view_outputs}, and {@link #EXAM_HEAD} scores an exam from the four views' encodings
 * (each encoder output stacked over the slots under the same name, plus {@code present}), so a
 * stream can keep embeddings instead of pixels.
 *
 * <p>{@code domain} (optional; null for manifests written before it): the validated domain and the
 * embedding OOD reference ({@link ValidatedDomain}; layout in {@code ManifestDomain}).
 *
 * <p>{@code calibration} (optional; null for manifests written before it): the monotone map the
 * scorer applies to every per-breast malignancy probability ({@link Calibration}; layout in {@code
 * ManifestCalibration}). When present, {@code thresholds} are in the calibrated space.
 *
 * <p>The one reader and the one writer of the file: training writes through {@link #builder()}
 * (which runs the same checks as {@link #read(Path)}, so no tool can write a manifest the scorer
 * would refuse), and the scorer, the stream and the tests read through {@link #read(Path)}.
 */
public record ModelManifest(
    String name,
    String version,
    String created,
    String producer,
    String intendedUse,
    int inputHeight,
    int inputWidth,
    double normMean,
    double normStd,
    ModelThresholds thresholds,
    Map<String, String> fileSha256,
    int opset,
    JsonNode metrics,
    int contractVersion,
    int embeddingDim,
    Map<String, Integer> perViewOutputs,
    ValidatedDomain domain,
    Calibration calibration,
    JsonNode raw) {

  public static final String FILE = "model.json";
  public static final String EXAM_SCORER = "exam_scorer.onnx";
  public static final String IMAGE_ENCODER = "image_encoder.onnx";
  public static final String EXAM_HEAD = "exam_head.onnx";

  /** One graph scores the whole exam from its images ({@link #EXAM_SCORER}). */
  public static final int CONTRACT_V1 = 1;

  /** Per-view {@link #IMAGE_ENCODER} and an {@link #EXAM_HEAD} over the four encodings. */
  public static final int CONTRACT_V2 = 2;

  /** The encoder output every contract-2 encoder has: [N, D]; the head's input [N, 4, D]. */
  public static final String EMBEDDING = "embedding";

  /** Names an encoder output may not take: the head's other inputs and the encoder's input. */
  private static final List<String> RESERVED = List.of(EMBEDDING, "present", "image");

  /** The ONNX files a directory of this contract holds, in the order they are checked. */
  public static List<String> filesOf(int contractVersion) {
    return contractVersion == CONTRACT_V2
        ? List.of(IMAGE_ENCODER, EXAM_HEAD)
        : List.of(EXAM_SCORER, IMAGE_ENCODER);
  }

  /** The ONNX files of this directory. */
  public List<String> files() {
    return filesOf(contractVersion);
  }

  /** True for contract 2: images are encoded one by one and the exam head scores the encodings. */
  public boolean encodesViews() {
    return contractVersion == CONTRACT_V2;
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ModelManifest read(Path file) {
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(
          file + " is not valid JSON (" + e.getMessage() + "); re-export the model", e);
    }
    return parse(n, file.toString());
  }

  /** A new manifest to write; {@link Builder#build()} validates it as {@link #read} would. */
  public static Builder builder() {
    return new Builder();
  }

  /** Keys the builder writes itself; any other top-level key is carried as an extra. */
  private static final List<String> BUILDER_KEYS =
      List.of(
          "contract_version",
          "name",
          "version",
          "created",
          "producer",
          "intended_use",
          "input",
          "outputs",
          "thresholds",
          "encoder",
          "files",
          "opset",
          "domain",
          "calibration",
          "metrics");

  /**
   * A builder holding everything this manifest says except its contract, encoder and files (the
   * producer of a derived directory, e.g. the same weights in another contract, sets those and its
   * own producer).
   */
  public Builder toBuilder() {
    Builder b =
        builder()
            .setName(name)
            .setVersion(version)
            .optCreated(created)
            .setIntendedUse(intendedUse)
            .setInput(inputHeight, inputWidth, normMean, normStd)
            .setThresholds(thresholds)
            .setOpset(opset)
            .optDomain(domain)
            .optCalibration(calibration)
            .optMetrics(metrics);
    JsonNode p = raw.path("producer");
    b.setProducer(p.path("module").asText(producer), p.path("git_sha").asText("unknown"));
    raw.path("outputs")
        .fields()
        .forEachRemaining(e -> b.optOutput(e.getKey(), e.getValue().asText()));
    raw.fields()
        .forEachRemaining(
            e -> {
              if (!BUILDER_KEYS.contains(e.getKey())) {
                b.optExtra(e.getKey(), e.getValue());
              }
            });
    return b;
  }

  /** Writes this manifest as {@code model.json} in {@code dir} (temp file, then atomic move). */
  public Path write(Path dir) throws IOException {
    Path target = dir.resolve(FILE);
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(raw));
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  private static ModelManifest parse(JsonNode n, String file) {
    List<String> problems = new ArrayList<>();
    String name = text(n, "name", problems);
    String version = text(n, "version", problems);
    String intended = text(n, "intended_use", problems);
    JsonNode in = n.path("input");
    int h = positiveInt(in, "height", "input.height", problems);
    int w = positiveInt(in, "width", "input.width", problems);
    JsonNode norm = in.path("normalisation");
    double mean = number(norm, "mean", "input.normalisation.mean", problems);
    double std = number(norm, "std", "input.normalisation.std", problems);
    if (std <= 0 && !Double.isNaN(std)) {
      problems.add("input.normalisation.std must be > 0");
    }
    JsonNode t = n.path("thresholds");
    double susp = probability(t, "suspicious", problems);
    double low = probability(t, "low", problems);
    double risk = probability(t, "risk5y", problems);
    if (!Double.isNaN(susp) && !Double.isNaN(low) && low > susp) {
      problems.add(
          "thresholds.low (" + low + ") must not exceed thresholds.suspicious (" + susp + ")");
    }
    int contract = n.path("contract_version").asInt(CONTRACT_V1);
    if (n.has("contract_version")
        && (!n.path("contract_version").isInt()
            || (contract != CONTRACT_V1 && contract != CONTRACT_V2))) {
      problems.add(
          "contract_version must be 1 or 2 (this scorer knows no other), found "
              + n.path("contract_version"));
      contract = CONTRACT_V1;
    }
    int embeddingDim = 0;
    Map<String, Integer> perView = new LinkedHashMap<>();
    if (contract == CONTRACT_V2) {
      JsonNode enc = n.path("encoder");
      embeddingDim = enc.path("embedding_dim").asInt(-1);
      if (embeddingDim <= 0 || embeddingDim > 65_536) {
        problems.add("encoder.embedding_dim must be an integer in 1..65536 (contract 2)");
      }
      JsonNode outs = enc.path("per_view_outputs");
      if (!outs.isMissingNode() && !outs.isObject()) {
        problems.add("encoder.per_view_outputs must be an object of output name to width");
      }
      for (var it = outs.fields(); it.hasNext(); ) {
        var e = it.next();
        int k = e.getValue().asInt(-1);
        if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,63}") || RESERVED.contains(e.getKey())) {
          problems.add(
              "encoder.per_view_outputs: '"
                  + e.getKey()
                  + "' is not a usable output name (an identifier other than "
                  + RESERVED
                  + ")");
        } else if (!e.getValue().isInt() || k <= 0 || k > 65_536) {
          problems.add("encoder.per_view_outputs." + e.getKey() + " must be a width in 1..65536");
        } else {
          perView.put(e.getKey(), k);
        }
      }
    }
    Map<String, String> files = new LinkedHashMap<>();
    JsonNode f = n.path("files");
    for (String required : filesOf(contract)) {
      String sha = f.path(required).asText("");
      if (!sha.matches("[0-9a-f]{64}")) {
        problems.add("files." + required + " must be the file's sha256 (64 lowercase hex digits)");
      }
      files.put(required, sha);
    }
    int opset = n.path("opset").asInt(-1);
    if (opset < 11) {
      problems.add("opset must be a number >= 11");
    }
    ValidatedDomain domain = ManifestDomain.read(n.path("domain"), embeddingDim, problems);
    Calibration calibration = ManifestCalibration.read(n.path(ManifestCalibration.KEY), problems);
    if (!problems.isEmpty()) {
      throw new ModelLoadException(
          file
              + " is not a valid model manifest: "
              + String.join("; ", problems)
              + ". See DESIGN §5 for the model.json contract.");
    }
    String producer =
        n.path("producer").isObject()
            ? n.path("producer").toString()
            : n.path("producer").asText("");
    return new ModelManifest(
        name,
        version,
        n.path("created").asText(""),
        producer,
        intended,
        h,
        w,
        mean,
        std,
        new ModelThresholds(susp, low, risk, t.path("provenance").asText("unspecified")),
        files,
        opset,
        n.path("metrics"),
        contract,
        embeddingDim,
        java.util.Collections.unmodifiableMap(perView),
        domain,
        calibration,
        n);
  }

  /**
   * What a producer knows about a model: {@code setX} are required, {@code optX} optional. Keys and
   * layout of the JSON are decided here only.
   */
  public static final class Builder {
    private String name;
    private String version;
    private String created =
        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    private String producerModule;
    private String producerGitSha = "unknown";
    private String intendedUse;
    private int height;
    private int width;
    private double normMean = Double.NaN;
    private double normStd = Double.NaN;
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private ModelThresholds thresholds;
    private final Map<String, String> files = new LinkedHashMap<>();
    private int opset;
    private Object metrics = Map.of();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private int contractVersion = CONTRACT_V1;
    private int embeddingDim;
    private final Map<String, Integer> perViewOutputs = new LinkedHashMap<>();
    private ValidatedDomain domain;
    private Calibration calibration;

    private Builder() {}

    /**
     * The calibration of per-breast malignancy (null: none). The thresholds set must then be in the
     * calibrated space.
     */
    public Builder optCalibration(Calibration calibration) {
      this.calibration = calibration;
      return this;
    }

    /** The validated domain and embedding OOD reference (null: none, as before it existed). */
    public Builder optDomain(ValidatedDomain domain) {
      this.domain = domain;
      return this;
    }

    /**
     * Which files the directory holds ({@link #CONTRACT_V1} by default); contract 2 also needs
     * {@link #setEncoder}.
     */
    public Builder setContractVersion(int contractVersion) {
      this.contractVersion = contractVersion;
      return this;
    }

    /**
     * Contract 2: the encoder's embedding width and its per-view outputs (name to width, in the
     * order the head reads them), each of which the head takes as [N, 4, width] under the same
     * name.
     */
    public Builder setEncoder(int embeddingDim, Map<String, Integer> perViewOutputs) {
      this.embeddingDim = embeddingDim;
      this.perViewOutputs.clear();
      this.perViewOutputs.putAll(perViewOutputs);
      return this;
    }

    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    public Builder setVersion(String version) {
      this.version = version;
      return this;
    }

    public Builder optCreated(String created) {
      this.created = created;
      return this;
    }

    public Builder setProducer(String module, String gitSha) {
      this.producerModule = module;
      this.producerGitSha = gitSha;
      return this;
    }

    /** Free text; a model trained on synthetic data must say so and that it is not clinical. */
    public Builder setIntendedUse(String intendedUse) {
      this.intendedUse = intendedUse;
      return this;
    }

    public Builder setInput(int height, int width, double normMean, double normStd) {
      this.height = height;
      this.width = width;
      this.normMean = normMean;
      this.normStd = normStd;
      return this;
    }

    /** Documents one output tensor (name and meaning, e.g. {@code "[N,2] probability ..."}). */
    public Builder optOutput(String name, String meaning) {
      outputs.put(name, meaning);
      return this;
    }

    public Builder setThresholds(ModelThresholds thresholds) {
      this.thresholds = thresholds;
      return this;
    }

    /** The sha256 of one file of the directory ({@link #EXAM_SCORER}, {@link #IMAGE_ENCODER}). */
    public Builder setFile(String fileName, String sha256) {
      files.put(fileName, sha256);
      return this;
    }

    public Builder setOpset(int opset) {
      this.opset = opset;
      return this;
    }

    /** Evaluation metrics on the set they name (any JSON-serialisable value). */
    public Builder optMetrics(Object metrics) {
      this.metrics = metrics;
      return this;
    }

    /** A further top-level key (e.g. {@code breast_aggregation}, {@code parity_max_abs_diff}). */
    public Builder optExtra(String key, Object value) {
      extra.put(key, value);
      return this;
    }

    /** The manifest, checked exactly as {@link ModelManifest#read} checks a file. */
    public ModelManifest build() {
      ObjectNode j = JSON.createObjectNode();
      if (contractVersion != CONTRACT_V1) {
        j.put("contract_version", contractVersion);
      }
      j.put("name", name);
      j.put("version", version);
      j.put("created", created);
      ObjectNode producer = j.putObject("producer");
      producer.put("module", producerModule);
      producer.put("git_sha", producerGitSha);
      j.put("intended_use", intendedUse);
      ObjectNode in = j.putObject("input");
      in.put("height", height);
      in.put("width", width);
      ObjectNode norm = in.putObject("normalisation");
      norm.put("mean", normMean);
      norm.put("std", normStd);
      ObjectNode out = j.putObject("outputs");
      outputs.forEach(out::put);
      ObjectNode t = j.putObject("thresholds");
      if (thresholds != null) {
        t.put("suspicious", thresholds.suspicious());
        t.put("low", thresholds.low());
        t.put("risk5y", thresholds.risk5y());
        t.put("provenance", thresholds.provenance());
      }
      if (contractVersion == CONTRACT_V2) {
        ObjectNode enc = j.putObject("encoder");
        enc.put("embedding_dim", embeddingDim);
        ObjectNode pv = enc.putObject("per_view_outputs");
        perViewOutputs.forEach(pv::put);
      }
      ObjectNode f = j.putObject("files");
      files.forEach(f::put);
      j.put("opset", opset);
      extra.forEach((k, v) -> j.set(k, JSON.valueToTree(v)));
      if (domain != null) {
        j.set("domain", ManifestDomain.write(JSON, domain));
      }
      if (calibration != null) {
        j.set(ManifestCalibration.KEY, ManifestCalibration.write(JSON, calibration));
      }
      j.set("metrics", JSON.valueToTree(metrics));
      return parse(j, "the manifest being written for " + name);
    }
  }

  private static String text(JsonNode n, String key, List<String> problems) {
    String v = n.path(key).asText("");
    if (v.isBlank()) {
      problems.add(key + " is missing");
    }
    return v;
  }

  private static int positiveInt(JsonNode n, String key, String path, List<String> problems) {
    int v = n.path(key).asInt(-1);
    if (v <= 0 || v > 8192) {
      problems.add(path + " must be an integer in 1..8192");
    }
    return v;
  }

  private static double number(JsonNode n, String key, String path, List<String> problems) {
    if (!n.path(key).isNumber()) {
      problems.add(path + " must be a number");
      return Double.NaN;
    }
    return n.path(key).asDouble();
  }

  private static double probability(JsonNode n, String key, List<String> problems) {
    double v = number(n, key, "thresholds." + key, problems);
    if (!Double.isNaN(v) && (v < 0 || v > 1)) {
      problems.add("thresholds." + key + " must be in [0, 1]");
    }
    return v;
  }
}
