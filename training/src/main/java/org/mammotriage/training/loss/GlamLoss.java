package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.mammotriage.training.model.ColumnPairing;
import org.mammotriage.training.model.L2Normalize;

/**
 * GLAM: L_final = L_global + L_local (GLAM §2.2, "Final Losses").
 *
 * <p>L_global (§2.1, eq. 2) = L(v_cc, v_mlo) + ½ [L(v_cc, t) + L(t, v_cc) + L(v_mlo, t) + L(t,
 * v_mlo)], with L the one-way InfoNCE of eq. (1); both views meet the report, none is swapped out.
 * L(v_cc, v_mlo) is one-way as the paper writes it.
 *
 * <p>L_local (§2.2, eq. 4): for each view ν and super-patch (i, j) of breast b, the positive is
 * p^ν_{b,(i,j)} (its cross-attention over the other view's AP slice j, the depth-aligned column,
 * see {@link org.mammotriage.training.model.DepthColumns}); the negatives are p^ν_{b,(m,n)} at the
 * other M−1 positions of the same breast and p^ν_{b',(i,j)} at the same position of the other B−1
 * breasts in the batch (M+B−2 negatives). Cosine similarities scaled by a learnable 1/τ; −1/(2M)
 * Σ_ν Σ_(i,j), averaged over the breasts of the batch.
 *
 * <p>Predictions: [z_cc, z_mlo, z_text, scale_text, scale_view, q_cc, p_cc, q_mlo, p_mlo,
 * scale_local]; no labels.
 */
public final class GlamLoss extends PretrainLoss {
  private final float localWeight;

  public GlamLoss() {
    this(1f);
  }

  /**
   * @param localWeight weight of the local term (GLAM uses 1)
   */
  public GlamLoss(float localWeight) {
    super("glam");
    this.localWeight = localWeight;
  }

  @Override
  public List<String> partNames() {
    return List.of("it", "ii", "local");
  }

  @Override
  public NDList parts(NDList labels, NDList p) {
    NDArray zCc = p.get(0);
    NDArray zMlo = p.get(1);
    NDArray text = p.get(2);
    // ½ [L(a,t) + L(t,a)] = InfoNce.symmetric(a, t)
    NDArray it =
        InfoNce.symmetric(zCc, text, p.get(3)).add(InfoNce.symmetric(zMlo, text, p.get(3)));
    NDArray ii = InfoNce.oneWay(zCc, zMlo, p.get(4));
    NDArray scale = p.get(9);
    NDArray local =
        localAlignment(p.get(5), p.get(6), scale)
            .add(localAlignment(p.get(7), p.get(8), scale))
            .mul(0.5f);
    NDArray total = it.add(ii).add(local.mul(localWeight));
    return new NDList(total, it, ii, local);
  }

  /** The local InfoNCE of one view (GLAM eq. 4 for one ν): q and p are (B, M, d). */
  public static NDArray localAlignment(NDArray q, NDArray p, NDArray scale) {
    NDArray qn = L2Normalize.normalize(q);
    NDArray pn = L2Normalize.normalize(p);
    long b = q.getShape().get(0);
    long m = q.getShape().get(1);
    NDManager mgr = q.getManager();
    // same breast, all positions: [b, a, a'] = <q_{b,a}, p_{b,a'}>; the positive is a' = a
    NDArray positions = qn.matMul(pn.transpose(0, 2, 1));
    // same position, all breasts: [a, b, b'] = <q_{b,a}, p_{b',a}> → [b, a, b']
    NDArray patients = qn.transpose(1, 0, 2).matMul(pn.transpose(1, 2, 0)).transpose(1, 0, 2);
    // b' = b repeats the positive: drop it from this block
    NDArray self = mgr.eye((int) b).expandDims(1).mul(ColumnPairing.BLOCKED);
    NDArray logits = positions.concat(patients.add(self), 2).mul(scale);
    NDArray logProb = logits.logSoftmax(2);
    NDArray pick =
        mgr.eye((int) m).concat(mgr.zeros(new ai.djl.ndarray.types.Shape(m, b)), 1).expandDims(0);
    return logProb.mul(pick).sum().div(-(float) (b * m));
  }
}
