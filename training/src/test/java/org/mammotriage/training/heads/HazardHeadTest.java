package org.mammotriage.training.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.mammotriage.evaluation.survival.SurvivalOutcome;

class HazardHeadTest {

  @Test
  void shouldGiveNonDecreasingCumulativeLogitsForAnyInput() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      AdditiveHazard hazard = new AdditiveHazard(5);
      hazard.initialize(m, DataType.FLOAT32, new Shape(64, 8));
      NDArray x = m.randomNormal(0, 10, new Shape(64, 8), DataType.FLOAT32);

      NDArray logits =
          hazard.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();

      NDArray steps = logits.get(":, 1:").sub(logits.get(":, :-1"));
      assertThat(steps.min().getFloat()).isGreaterThanOrEqualTo(0f);
      assertThat(logits.getShape()).isEqualTo(new Shape(64, 5));
    }
  }

  @Test
  void shouldIgnoreTheEmbeddingOfAMissingView() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(4);
      RiskHead head = new RiskHead(8, 1, 2, 5);
      head.initialize(m, DataType.FLOAT32, new Shape(1, 4, 6), new Shape(1, 4));
      NDArray emb = m.randomNormal(new Shape(1, 4, 6));
      NDArray present = m.create(new float[] {1, 1, 0, 1}, new Shape(1, 4));
      NDArray changed = emb.duplicate();
      changed.set(new ai.djl.ndarray.index.NDIndex("0, 2"), 50f);

      var ps = new ParameterStore(m, false);
      NDArray a = head.forward(ps, new NDList(emb, present), false).singletonOrThrow();
      NDArray b = head.forward(ps, new NDList(changed, present), false).singletonOrThrow();

      assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-5f);
      // the risk transformer is the shared block with an MLP of 2 × dim
      assertThat(head.layers()).hasSize(1).allSatisfy(l -> assertThat(l.mlpDim()).isEqualTo(16));
    }
  }

  @Test
  void shouldLabelTheYearOfDiagnosisAndMaskTheYearsAfterItAsMiraiDoes() {
    HazardTargets cancer = HazardTargets.of(SurvivalOutcome.cancerAt(2.5), 5);
    HazardTargets censored = HazardTargets.of(SurvivalOutcome.censoredAt(3.2), 5);
    HazardTargets atScreen = HazardTargets.of(SurvivalOutcome.cancerAt(0), 5);

    // Mirai: t = floor(2.5) = 2, y_seq[2:] = 1, y_mask = [1, 1, 1, 0, 0]
    assertThat(cancer.labels()).containsExactly(0, 0, 1, 1, 1);
    assertThat(cancer.mask()).containsExactly(1, 1, 1, 0, 0);
    assertThat(censored.labels()).containsExactly(0, 0, 0, 0, 0);
    assertThat(censored.mask()).containsExactly(1, 1, 1, 0, 0);
    assertThat(atScreen.labels()).containsExactly(1, 1, 1, 1, 1);
    assertThat(atScreen.mask()).containsExactly(1, 0, 0, 0, 0);
  }

  @Test
  void shouldCountACancerAtExactlyOneYearInTheSecondYear() {
    HazardTargets oneYear = HazardTargets.of(SurvivalOutcome.cancerAt(1.0), 5);
    HazardTargets justBefore = HazardTargets.of(SurvivalOutcome.cancerAt(0.99), 5);
    HazardTargets followedOneYear = HazardTargets.of(SurvivalOutcome.censoredAt(1.0), 5);

    // Mirai: t = floor(1.0) = 1 → y_seq = [0, 1, 1, 1, 1], y_mask = [1, 1, 0, 0, 0]
    assertThat(oneYear.labels()).containsExactly(0, 1, 1, 1, 1);
    assertThat(oneYear.mask()).containsExactly(1, 1, 0, 0, 0);
    assertThat(justBefore.labels()).containsExactly(1, 1, 1, 1, 1);
    assertThat(justBefore.mask()).containsExactly(1, 0, 0, 0, 0);
    // censored at exactly 1.0 y: a known negative for horizon 1, unknown after
    assertThat(followedOneYear.mask()).containsExactly(1, 0, 0, 0, 0);
  }

  @Test
  void shouldAverageCrossEntropyOnlyOverUnmaskedEntries() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {0, 2});
      NDArray targets = m.create(new float[] {1, 0});

      float maskedOut =
          MaskedBinaryCrossEntropy.of(logits, targets, m.create(new float[] {1, 0})).getFloat();
      float both =
          MaskedBinaryCrossEntropy.of(logits, targets, m.create(new float[] {1, 1})).getFloat();

      assertThat((double) maskedOut).isCloseTo(Math.log(2), within(1e-6));
      // (ln 2 + (2 + ln(1 + e^-2))) / 2
      assertThat((double) both)
          .isCloseTo((Math.log(2) + 2 + Math.log1p(Math.exp(-2))) / 2, within(1e-6));
    }
  }
}
