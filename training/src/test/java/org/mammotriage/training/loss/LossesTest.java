package org.mammotriage.training.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every loss against values worked out by hand (see the comments) on tiny tensors. */
class LossesTest {
  private NDManager nd;

  @BeforeEach
  void open() {
    nd = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    nd.close();
  }

  private NDArray m(float[][] rows) {
    return nd.create(rows);
  }

  private NDArray scale(float s) {
    return nd.create(new float[] {s});
  }

  @Test
  void shouldGiveLogOnePlusOneOverEForOrthonormalPairsAtUnitTemperature() {
    // logits = I: each row -log(e / (e + 1)) = log(1 + e^-1) = 0.3132617
    NDArray eye = m(new float[][] {{1, 0}, {0, 1}});
    float loss = new ClipLoss().evaluate(new NDList(), new NDList(eye, eye, scale(1))).getFloat();
    assertThat(loss).isCloseTo(0.3132617f, within(1e-5f));
  }

  @Test
  void shouldAverageBothDirectionsInClip() {
    // image a = I, text b = [[.6,.8],[1,0]], scale 2 → logits [[1.2, 2],[1.6, 0]]
    // image→text: (log(1+e^.8) + log(1+e^1.6)) / 2 = 1.4775007
    // text→image (transpose [[1.2,1.6],[2,0]]): (log(1+e^.4) + log(1+e^2)) / 2 = 1.5199716
    NDArray a = m(new float[][] {{1, 0}, {0, 1}});
    NDArray b = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    assertThat(InfoNce.oneWay(a, b, scale(2)).getFloat()).isCloseTo(1.4775007f, within(1e-5f));
    assertThat(InfoNce.oneWay(b, a, scale(2)).getFloat()).isCloseTo(1.5199716f, within(1e-5f));
    float clip = new ClipLoss().evaluate(new NDList(), new NDList(a, b, scale(2))).getFloat();
    assertThat(clip).isCloseTo(1.4987362f, within(1e-5f));
  }

  @Test
  void shouldAddTheViewTermAndPairTheSwappedViewWithTheText() {
    // z_cc = I, z_mlo = [[.6,.8],[1,0]], text = I, swap = [0, 1] → paired views [[1,0],[1,0]]
    // it: logits [[1,0],[1,0]] → (log(1+e^-1) + log(1+e)) / 2 = .8132617; transposed [[1,1],[0,0]]
    // → log 2
    //     → (.8132617 + .6931472) / 2 = .7532044
    // ii at scale 2: 1.4987362 (the CLIP case above) → total 2.2519406
    NDArray cc = m(new float[][] {{1, 0}, {0, 1}});
    NDArray mlo = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray text = m(new float[][] {{1, 0}, {0, 1}});
    NDList parts =
        new MvClipLoss()
            .parts(
                new NDList(nd.create(new float[] {0, 1})),
                new NDList(cc, mlo, text, scale(1), scale(2)));
    assertThat(parts.get(1).getFloat()).isCloseTo(0.7532044f, within(1e-5f));
    assertThat(parts.get(2).getFloat()).isCloseTo(1.4987362f, within(1e-5f));
    assertThat(parts.get(0).getFloat()).isCloseTo(2.2519406f, within(1e-5f));
    // without the swap the text meets CC = I: the image-text term drops to log(1 + e^-1)
    NDList noSwap =
        new MvClipLoss()
            .parts(
                new NDList(nd.create(new float[] {0, 0})),
                new NDList(cc, mlo, text, scale(1), scale(2)));
    assertThat(noSwap.get(1).getFloat()).isCloseTo(0.3132617f, within(1e-5f));
  }

  @Test
  void shouldScoreLocalAlignmentAgainstOtherPositionsAndOtherBreastsAtTheSamePosition() {
    // B=2, M=2, d=2, scale 1. Breast 0: q = p = I. Breast 1: q = I, p = [[0,1],[1,0]].
    // (0,0): positive 1; other position 0; breast 1 same position <[1,0],[0,1]> = 0 → log(e+2) - 1
    // = .5514447
    // (0,1): symmetric → .5514447
    // (1,0): positive <[1,0],[0,1]> = 0; other position 1; breast 0 same position 1 → log(1 + 2e) =
    // 1.8619948
    // (1,1): → 1.8619948; mean 1.2067198
    NDArray q = nd.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(2, 2, 2));
    NDArray p = nd.create(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, new Shape(2, 2, 2));
    assertThat(GlamLoss.localAlignment(q, p, scale(1)).getFloat())
        .isCloseTo(1.2067198f, within(1e-5f));
  }

  @Test
  void shouldMatchAPlainLoopImplementationOfTheLocalLossOnRandomTensors() {
    int b = 3;
    int mm = 4;
    int d = 5;
    float s = 3.5f;
    Random r = new Random(11);
    float[] qv = new float[b * mm * d];
    float[] pv = new float[b * mm * d];
    for (int i = 0; i < qv.length; i++) {
      qv[i] = (float) r.nextGaussian();
      pv[i] = (float) r.nextGaussian();
    }
    double expected = referenceLocal(qv, pv, b, mm, d, s);
    float got =
        GlamLoss.localAlignment(
                nd.create(qv, new Shape(b, mm, d)), nd.create(pv, new Shape(b, mm, d)), scale(s))
            .getFloat();
    assertThat((double) got).isCloseTo(expected, within(1e-4));
  }

  @Test
  void shouldGiveGlamsGlobalLossBothViewsImageTextTermsAndTheOneWayViewTerm() {
    // GLAM eq. 2: L(v_cc, v_mlo) + ½ [L(v_cc,t) + L(t,v_cc) + L(v_mlo,t) + L(t,v_mlo)]
    // v_cc = I, v_mlo = [[.6,.8],[1,0]], t = I, 1/τ_text = 1, 1/τ_view = 2
    // ½[L(cc,t)+L(t,cc)] = log(1 + e^-1) = .3132617
    // ½[L(mlo,t)+L(t,mlo)]: logits [[.6,.8],[1,0]] → rows (log(1+e^.2) + log(1+e)) / 2 = 1.0556957,
    //   columns (log(1+e^.4) + log(1+e^.8)) / 2 = 1.0420625 → 1.0488791; sum 1.3621408
    // L(cc, mlo) one-way at scale 2: logits [[1.2, 2],[1.6, 0]] → 1.4775007
    NDArray cc = m(new float[][] {{1, 0}, {0, 1}});
    NDArray mlo = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray q = nd.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(2, 2, 2));
    NDArray p = nd.create(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, new Shape(2, 2, 2));
    NDList preds = new NDList(cc, mlo, cc, scale(1), scale(2), q, p, q, q, scale(1));

    NDList parts = new GlamLoss().parts(new NDList(), preds);

    assertThat(parts.get(1).getFloat()).isCloseTo(1.3621408f, within(1e-5f));
    assertThat(parts.get(2).getFloat()).isCloseTo(1.4775007f, within(1e-5f));
    // local: ½ (CC view 1.2067198 + MLO view .8619948, see the local-alignment tests)
    float local = (1.2067198f + 0.8619948f) / 2;
    assertThat(parts.get(3).getFloat()).isCloseTo(local, within(1e-5f));
    assertThat(parts.get(0).getFloat()).isCloseTo(2.8396415f + local, within(1e-4f));
  }

  @Test
  void shouldNotDependOnWhichViewIsPairedWithTheTextInGlam() {
    // GLAM pairs both views with the report: unlike MV-CLIP there is no swap label to follow
    NDArray cc = m(new float[][] {{1, 0}, {0, 1}});
    NDArray mlo = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray q = nd.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(2, 2, 2));
    NDList preds = new NDList(cc, mlo, cc, scale(1), scale(2), q, q, q, q, scale(1));
    float a = new GlamLoss().parts(new NDList(), preds).get(0).getFloat();
    float b =
        new GlamLoss().parts(new NDList(nd.create(new float[] {1, 1})), preds).get(0).getFloat();
    assertThat(a).isEqualTo(b);
  }

  @Test
  void shouldDropOnlyTheViewTermInTheMvClipAblation() {
    // the case of shouldAddTheViewTermAndPairTheSwappedViewWithTheText: it .7532044, ii 1.4987362
    NDArray cc = m(new float[][] {{1, 0}, {0, 1}});
    NDArray mlo = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray text = m(new float[][] {{1, 0}, {0, 1}});
    NDList parts =
        new MvClipLoss(0f)
            .parts(
                new NDList(nd.create(new float[] {0, 1})),
                new NDList(cc, mlo, text, scale(1), scale(2)));
    assertThat(parts.get(0).getFloat()).isCloseTo(0.7532044f, within(1e-5f));
    // the term is still reported, so the progress line shows what the ablated run does not train
    assertThat(parts.get(2).getFloat()).isCloseTo(1.4987362f, within(1e-5f));
  }

  @Test
  void shouldDropOnlyTheLocalTermInTheGlamAblation() {
    // the case of shouldGiveGlamsGlobalLossBothViewsImageTextTermsAndTheOneWayViewTerm: global
    // 2.8396415
    NDArray cc = m(new float[][] {{1, 0}, {0, 1}});
    NDArray mlo = m(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray q = nd.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(2, 2, 2));
    NDArray p = nd.create(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, new Shape(2, 2, 2));
    NDList preds = new NDList(cc, mlo, cc, scale(1), scale(2), q, p, q, q, scale(1));
    NDList parts = new GlamLoss(0f).parts(new NDList(), preds);
    assertThat(parts.get(0).getFloat()).isCloseTo(2.8396415f, within(1e-4f));
    assertThat(parts.get(3).getFloat()).isCloseTo((1.2067198f + 0.8619948f) / 2, within(1e-5f));
  }

  /** log-sum-exp InfoNCE written with loops, independent of the tensor version. */
  private static double referenceLocal(float[] q, float[] p, int b, int m, int d, float s) {
    double total = 0;
    for (int i = 0; i < b; i++) {
      for (int a = 0; a < m; a++) {
        double pos = s * cos(q, i * m + a, p, i * m + a, d);
        double sum = 0;
        for (int a2 = 0; a2 < m; a2++) {
          sum += Math.exp(s * cos(q, i * m + a, p, i * m + a2, d));
        }
        for (int j = 0; j < b; j++) {
          if (j != i) {
            sum += Math.exp(s * cos(q, i * m + a, p, j * m + a, d));
          }
        }
        total += Math.log(sum) - pos;
      }
    }
    return total / (b * m);
  }

  private static double cos(float[] x, int xi, float[] y, int yi, int d) {
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int k = 0; k < d; k++) {
      dot += x[xi * d + k] * y[yi * d + k];
      nx += x[xi * d + k] * x[xi * d + k];
      ny += y[yi * d + k] * y[yi * d + k];
    }
    return dot / Math.sqrt(nx) / Math.sqrt(ny);
  }
}
