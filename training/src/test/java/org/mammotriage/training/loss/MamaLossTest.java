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

/** MaMA's terms against values worked out by hand and by a plain-loop reference. */
class MamaLossTest {
  private NDManager nd;

  @BeforeEach
  void open() {
    nd = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    nd.close();
  }

  private NDArray scale(float s) {
    return nd.create(new float[] {s});
  }

  @Test
  void shouldScoreTheImagePartnerAgainstAllOtherImagesAsSimClrDoes() {
    // [a; b] = [e1, e2, e1, e2]: each anchor's partner has similarity 1, itself is excluded, the
    // other two have similarity 0 → −log(e / (e + 1 + 1)) = log(e + 2) − 1
    NDArray eye = nd.create(new float[][] {{1, 0}, {0, 1}});
    assertThat(InfoNce.ntXent(eye, eye, scale(1)).getFloat())
        .isCloseTo((float) (Math.log(Math.E + 2) - 1), within(1e-6f));
  }

  @Test
  void shouldLocaliseEachSentenceInTheBestPatchAndEachPatchInTheBestSentence() {
    // B = 2 images with P = 2 patches, 2 reports with L = 3 tokens, d = 2.
    // image 0 patches e1, e2; image 1 patches e1, e1.
    // report 0: tokens e1, e2, (3,4); sentence ends at tokens 0 and 1 → sentences e1, e2
    // report 1: tokens e2, (0,2), (1,1); sentence ends at tokens 0 and 2 → sentences e2, (1,1)/√2
    // visual c^V (mean over sentences of the best patch):
    //   [[1, (1 + .7071)/2], [(1 + 0)/2, (0 + .7071)/2]] = [[1, .8536], [.5, .3536]]
    // textual c^T (mean over patches of the best sentence):
    //   [[1, (.7071 + 1)/2], [1, .7071]] = [[1, .8536], [1, .7071]]
    // L^V, L^T: symmetric InfoNCE of each at 1/τ = 1; ½ (L^V + L^T) = 0.7218603 (numpy reference)
    NDArray patches = nd.create(new float[] {1, 0, 0, 1, 1, 0, 1, 0}, new Shape(2, 2, 2));
    NDArray tokens =
        nd.create(new float[] {1, 0, 0, 1, 3, 4, 0, 1, 0, 2, 1, 1}, new Shape(2, 3, 2));
    NDArray sentences = nd.create(new float[] {1, 1, 0, 1, 0, 1}, new Shape(2, 3));

    float sla = MamaLoss.symmetricLocalAlignment(patches, tokens, sentences, scale(1)).getFloat();

    assertThat(sla).isCloseTo(0.7218603f, within(1e-5f));
    assertThat(MamaLoss.symmetricLocalAlignment(patches, tokens, sentences, scale(2)).getFloat())
        .isCloseTo(0.7704168f, within(1e-5f));
  }

  @Test
  void shouldMatchAPlainLoopImplementationOfSlaOnRandomTensors() {
    int b = 3;
    int p = 4;
    int l = 5;
    int d = 3;
    Random r = new Random(7);
    float[] pv = new float[b * p * d];
    float[] tv = new float[b * l * d];
    float[] mv = new float[b * l];
    for (int i = 0; i < pv.length; i++) {
      pv[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < tv.length; i++) {
      tv[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b; i++) {
      mv[i * l] = 1; // every report has at least one sentence
      for (int t = 1; t < l; t++) {
        mv[i * l + t] = r.nextBoolean() ? 1 : 0;
      }
    }
    double expected = referenceSla(pv, tv, mv, b, p, l, d, 2.5);
    float got =
        MamaLoss.symmetricLocalAlignment(
                nd.create(pv, new Shape(b, p, d)),
                nd.create(tv, new Shape(b, l, d)),
                nd.create(mv, new Shape(b, l)),
                scale(2.5f))
            .getFloat();
    assertThat((double) got).isCloseTo(expected, within(1e-4));
  }

  @Test
  void shouldAddBothImagesImageTextTermsAndSwitchTheLocalTermOnWithItsWeight() {
    // v = I, partner = [[.6,.8],[1,0]], t = I, 1/τ2 = 1, 1/τ1 = 2:
    // L_VV = NT-Xent(v, partner) = 1.7275869; L_VT(v,t) + L_VT(partner,t) = .3132617 + 1.0488791
    NDArray v = nd.create(new float[][] {{1, 0}, {0, 1}});
    NDArray partner = nd.create(new float[][] {{0.6f, 0.8f}, {1, 0}});
    NDArray patches = nd.create(new float[] {1, 0, 0, 1, 1, 0, 1, 0}, new Shape(2, 2, 2));
    NDArray tokens =
        nd.create(new float[] {1, 0, 0, 1, 3, 4, 0, 1, 0, 2, 1, 1}, new Shape(2, 3, 2));
    NDArray sentences = nd.create(new float[] {1, 1, 0, 1, 0, 1}, new Shape(2, 3));
    NDList preds = new NDList(v, partner, v, scale(1), scale(2), patches, tokens, scale(1));

    NDList off = new MamaLoss().parts(new NDList(sentences, nd.create(new float[] {0})), preds);
    NDList on = new MamaLoss().parts(new NDList(sentences, nd.create(new float[] {1})), preds);

    assertThat(off.get(1).getFloat()).isCloseTo(1.7275869f, within(1e-5f));
    assertThat(off.get(2).getFloat()).isCloseTo(1.3621408f, within(1e-5f));
    assertThat(off.get(3).getFloat()).isCloseTo(0.7218603f, within(1e-5f));
    assertThat(off.get(0).getFloat()).isCloseTo(3.0897277f, within(1e-5f));
    assertThat(on.get(0).getFloat()).isCloseTo(3.8115880f, within(1e-5f));
  }

  /** SLA written with loops over images, reports, patches and sentences. */
  private static double referenceSla(
      float[] pv, float[] tv, float[] mv, int b, int p, int l, int d, double s) {
    double[][] cv = new double[b][b];
    double[][] ct = new double[b][b];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        double sumV = 0;
        int sentences = 0;
        for (int t = 0; t < l; t++) {
          if (mv[j * l + t] == 0) {
            continue;
          }
          double best = -2;
          for (int k = 0; k < p; k++) {
            best = Math.max(best, cos(pv, (i * p + k) * d, tv, (j * l + t) * d, d));
          }
          sumV += best;
          sentences++;
        }
        cv[i][j] = sumV / sentences;
        double sumT = 0;
        for (int k = 0; k < p; k++) {
          double best = -2;
          for (int t = 0; t < l; t++) {
            if (mv[j * l + t] != 0) {
              best = Math.max(best, cos(pv, (i * p + k) * d, tv, (j * l + t) * d, d));
            }
          }
          sumT += best;
        }
        ct[i][j] = sumT / p;
      }
    }
    return 0.5 * (symmetric(cv, s) + symmetric(ct, s));
  }

  private static double symmetric(double[][] c, double s) {
    int n = c.length;
    double rows = 0;
    double cols = 0;
    for (int i = 0; i < n; i++) {
      double sr = 0;
      double sc = 0;
      for (int j = 0; j < n; j++) {
        sr += Math.exp(s * c[i][j]);
        sc += Math.exp(s * c[j][i]);
      }
      rows += Math.log(sr) - s * c[i][i];
      cols += Math.log(sc) - s * c[i][i];
    }
    return 0.5 * (rows / n + cols / n);
  }

  private static double cos(float[] x, int xi, float[] y, int yi, int d) {
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int k = 0; k < d; k++) {
      dot += x[xi + k] * y[yi + k];
      nx += x[xi + k] * x[xi + k];
      ny += y[yi + k] * y[yi + k];
    }
    return dot / Math.sqrt(nx) / Math.sqrt(ny);
  }
}
