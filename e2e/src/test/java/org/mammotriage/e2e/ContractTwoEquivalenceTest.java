package org.mammotriage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import com.pixelmed.dicom.AttributeList;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.Slot;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.Laterality;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.streams.ExamTriageTopology;
import org.mammotriage.streams.StreamsMetrics;
import org.mammotriage.streams.TriageSettings;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.TestModels;
import org.mammotriage.training.export.ContractTwoConversion;
import org.mammotriage.training.export.ModelCard;
import org.mammotriage.training.export.ModelExport;
import org.mammotriage.training.export.OnnxExporter;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamHeads;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamRecord;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.heads.HeadsConfig;

/**
 * The stream gives the same scores with a contract-2 model (each image encoded on arrival, the head
 * at release) as with the contract-1 model of the same weights (the whole exam at release), within
 * 1e-5, on real exported models and real working images (synthetic DICOM through ingest's
 * preprocessing): complete exams, missing views (partial release), a unilateral exam, retakes (a
 * later acquisition replaces a slot, an earlier one is ignored) and amended versions (a late view
 * after release, then a retake after that). Two model pairs: the contract-1 demo model of
 * 2026-11-29 and its contract-2 conversion (cut from its graph), and a small model exported by
 * training in both contracts.
 */
class ContractTwoEquivalenceTest {
  static final double TOLERANCE = 1e-5;
  static final long QUIET = 60_000;
  static final SerdeFactory SERDES = SerdeFactory.singleObject();
  @TempDir static Path tmp;

  /** Working images of the archive's exams: exam index → slot → PNG. */
  static List<Map<Slot, byte[]>> exams = new ArrayList<>();

  @BeforeAll
  static void workingImages() throws Exception {
    Path archive = tmp.resolve("archive");
    SyntheticArchive.of(SynthOptions.defaults(6, 5).withScale(0.05)).generate(archive);
    for (ExamRecord e : ExamManifest.read(archive.resolve("manifest.csv"))) {
      Map<Slot, byte[]> views = new LinkedHashMap<>();
      for (Slot s : Slot.values()) {
        Path p = e.images()[s.ordinal()];
        if (p != null) {
          AttributeList list = new AttributeList();
          list.read(p.toFile());
          views.put(s, Preprocessor.defaults().process(list).png());
        }
      }
      if (views.size() == 4) {
        exams.add(views);
      }
    }
    assertThat(exams).hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void shouldScoreTheDemoModelsContractTwoConversionAsItsContractOneGraph() throws Exception {
    // the contract-1 demo model (2026-11-29) and its contract-2 files cut out of that graph by
    // ContractTwoConversion; the bundled demo model was retrained on 2026-12-02 and exported in
    // contract 2 directly, so it has no contract-1 twin any more
    Path v1 = TestModels.demoSyntheticV1(tmp.resolve("demo-v1"));
    Path v2 = tmp.resolve("demo-v2");
    ContractTwoConversion.convert(v1, v2);
    ModelManifest m2 = ModelManifest.read(v2.resolve(ModelManifest.FILE));
    assertThat(m2.encodesViews()).isTrue();
    // a calibration (issue #20) and thresholds on both, so the stream's calibrated path is compared
    ModelManifest bundled =
        ModelManifest.read(Path.of("..", "models", "demo-synthetic").resolve(ModelManifest.FILE));
    withCalibrationOf(bundled, v1);
    withCalibrationOf(bundled, v2);
    assertSameScores(run(v1), run(v2));
  }

  @Test
  void shouldScoreAModelExportedInBothContractsAlike() throws Exception {
    Path v1 = tmp.resolve("tiny-v1");
    Path v2 = tmp.resolve("tiny-v2");
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      ExamScorerBlock block = tinyModel(m);
      ModelExport export = new ModelExport(OnnxExporter.standard());
      export.write(block, card(), v1, ModelManifest.CONTRACT_V1);
      export.write(block, card(), v2, ModelManifest.CONTRACT_V2);
    }
    assertSameScores(run(v1), run(v2));
  }

  /** Writes {@code from}'s calibration and thresholds into the manifest of directory {@code to}. */
  private static void withCalibrationOf(ModelManifest from, Path to) {
    ModelManifest m = ModelManifest.read(to.resolve(ModelManifest.FILE));
    ModelManifest.Builder b =
        m.toBuilder()
            .setContractVersion(m.contractVersion())
            .setEncoder(m.embeddingDim(), m.perViewOutputs())
            .setThresholds(from.thresholds())
            .optCalibration(from.calibration());
    m.fileSha256().forEach(b::setFile);
    try {
      b.build().write(to);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every exam version scored by the stream on this model, in release order. */
  private List<ExamScore> run(Path model) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "equivalence");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    long[] clock = {1_700_000_000_000L};
    try (OnnxExamScorer scorer = new OnnxExamScorer(model, "cpu", false, 1, 1, 0);
        TopologyTestDriver driver =
            new TopologyTestDriver(
                ExamTriageTopology.build(
                    TriageSettings.defaults().withQuietPeriod(QUIET),
                    scorer,
                    SERDES,
                    new StreamsMetrics(OpsServer.newRegistry())),
                p,
                Instant.ofEpochMilli(clock[0]))) {
      TestInputTopic<String, MammogramImage> in =
          driver.createInputTopic(
              Topics.IMAGES.name(),
              new StringSerializer(),
              Topics.IMAGES.valueSerde(SERDES).serializer());
      Sender send =
          (study, slot, exam, acquired) ->
              in.pipeInput(
                  study, image(study, slot, exams.get(exam).get(slot), acquired), clock[0]);
      Runnable quiet =
          () -> {
            clock[0] += QUIET + 1;
            driver.advanceWallClockTime(Duration.ofMillis(QUIET + 1));
          };
      // complete exams
      for (int e = 0; e < 2; e++) {
        for (Slot s : Slot.values()) {
          send.send("complete-" + e, s, e, 1000 + s.ordinal());
        }
      }
      // a missing view and a unilateral exam: released after the quiet period
      for (Slot s : List.of(Slot.L_CC, Slot.L_MLO, Slot.R_CC)) {
        send.send("missing", s, 2, 1000 + s.ordinal());
      }
      for (Slot s : List.of(Slot.R_CC, Slot.R_MLO)) {
        send.send("unilateral", s, 3, 1000 + s.ordinal());
      }
      // retakes: a later L_CC replaces the first, an earlier one is ignored
      send.send("retake", Slot.L_CC, 4, 1000);
      send.send("retake", Slot.L_CC, 5, 2000);
      send.send("retake", Slot.L_CC, 0, 500);
      for (Slot s : List.of(Slot.L_MLO, Slot.R_CC, Slot.R_MLO)) {
        send.send("retake", s, 4, 1000 + s.ordinal());
      }
      quiet.run();
      // amended versions: a late view after release (version 2), then a retake (version 3)
      for (Slot s : List.of(Slot.L_CC, Slot.L_MLO, Slot.R_CC)) {
        send.send("amended", s, 5, 1000 + s.ordinal());
      }
      quiet.run();
      send.send("amended", Slot.R_MLO, 5, 1003);
      send.send("amended", Slot.L_CC, 1, 3000);
      return driver
          .createOutputTopic(
              Topics.SCORES.name(),
              Serdes.String().deserializer(),
              Topics.SCORES.valueSerde(SERDES).deserializer())
          .readValuesToList();
    }
  }

  @FunctionalInterface
  interface Sender {
    void send(String study, Slot slot, int exam, long acquiredMs);
  }

  static MammogramImage image(String study, Slot slot, byte[] png, long acquired) {
    return MammogramImage.newBuilder()
        .setStudyInstanceUid(study)
        .setSeriesInstanceUid(study + ".1")
        .setSopInstanceUid(study + "." + slot + "." + acquired)
        .setSopClassUid("1.2.840.10008.5.1.4.1.1.1.2")
        .setAccessionNumber("ACC-" + study)
        .setPatientKey("pk")
        .setLaterality(Laterality.valueOf(slot.laterality()))
        .setView(slot.view())
        .setViewModifiers(List.of())
        .setPresentationIntent("FOR PRESENTATION")
        .setAcquisitionTime(Instant.ofEpochMilli(acquired))
        .setInstanceNumber(1)
        .setOriginalRows(4096)
        .setOriginalColumns(3328)
        .setPreprocessingVersion("test")
        .setWorkingRows(1520)
        .setWorkingColumns(912)
        .setWorkingImagePng(ByteBuffer.wrap(png))
        .setReceivedAt(Instant.ofEpochMilli(acquired))
        .setSourceAe("TEST")
        .build();
  }

  /** Largest |contract 2 − contract 1| seen by the last comparison (printed for the record). */
  static double maxDiff;

  static void assertSameScores(List<ExamScore> one, List<ExamScore> two) {
    maxDiff = 0;
    assertThat(two).hasSameSizeAs(one);
    assertThat(one)
        .extracting(s -> s.getExamKey() + "#" + s.getExamVersion())
        .containsExactly(
            "complete-0#1",
            "complete-1#1",
            "retake#1",
            "missing#1",
            "unilateral#1",
            "amended#1",
            "amended#2",
            "amended#3");
    for (int i = 0; i < one.size(); i++) {
      ExamScore a = one.get(i);
      ExamScore b = two.get(i);
      String what = a.getExamKey() + " v" + a.getExamVersion();
      assertThat(b.getExamKey()).isEqualTo(a.getExamKey());
      assertThat(b.getExamVersion()).isEqualTo(a.getExamVersion());
      assertThat(b.getSopInstanceUids()).as(what).isEqualTo(a.getSopInstanceUids());
      assertThat(b.getSlotsMissing()).as(what).isEqualTo(a.getSlotsMissing());
      assertThat(a.getScorable()).as(what).isTrue();
      assertThat(b.getScorable()).as(what).isTrue();
      assertClose(what + " left", a.getMalignancyLeft(), b.getMalignancyLeft());
      assertClose(what + " right", a.getMalignancyRight(), b.getMalignancyRight());
      assertClose(what + " suspicion", a.getSuspicion(), b.getSuspicion());
      for (int k = 0; k < 5; k++) {
        assertClose(what + " risk " + (k + 1), a.getRisk().get(k), b.getRisk().get(k));
      }
      assertThat(b.getModel().getName()).isEqualTo(a.getModel().getName());
      assertThat(b.getModel().getSha256()).isNotEqualTo(a.getModel().getSha256());
    }
    ExamScore retake = one.get(2);
    assertThat(retake.getSopInstanceUids()).contains("retake.L_CC.2000");
    assertThat(one.get(5).getSlotsMissing()).containsExactly("R_MLO");
    assertThat(one.get(7).getSopInstanceUids()).contains("amended.L_CC.3000");
    System.out.printf(
        "contract 2 vs contract 1 (%s): max |difference| %.3g over %d exam versions%n",
        one.get(0).getModel().getName(), maxDiff, one.size());
  }

  static void assertClose(String what, Double a, Double b) {
    if (a == null) {
      assertThat(b).as(what).isNull();
    } else {
      assertThat(b).as(what).isNotNull().isCloseTo(a, within(TOLERANCE));
      maxDiff = Math.max(maxDiff, Math.abs(a - b));
    }
  }

  static ExamScorerBlock tinyModel(NDManager m) {
    int h = 64;
    int w = 40;
    int d = 16;
    SequentialBlock encoder =
        new SequentialBlock()
            .add(
                Conv2d.builder()
                    .setKernelShape(new Shape(3, 3))
                    .optStride(new Shape(2, 2))
                    .optPadding(new Shape(1, 1))
                    .setFilters(8)
                    .build())
            .add(BatchNorm.builder().build())
            .add(Activation.reluBlock())
            .add(Pool.globalAvgPool2dBlock())
            .add(Linear.builder().setUnits(d).build())
            .add(Activation.tanhBlock());
    ExamScorerBlock s =
        new ExamScorerBlock(
            encoder, new ExamHeads(new HeadsConfig(d, 16, 1, 4, 5, BreastAggregation.MEAN)), h, w);
    s.initialize(m, DataType.FLOAT32, new Shape(2, 4, 1, h, w), new Shape(2, 4));
    return s;
  }

  static ModelCard card() {
    OperatingPoint p = new OperatingPoint(0.5, 0.9, 0.8, 9, 1, 8, 2);
    return new ModelCard(
        "tiny-equivalence",
        "0.0.1",
        "test model exported in both contracts; NOT for clinical use",
        0.2,
        0.25,
        new Thresholds(0.5, 0.1, 0.3, "made up for a test", p, p),
        Map.of());
  }
}
