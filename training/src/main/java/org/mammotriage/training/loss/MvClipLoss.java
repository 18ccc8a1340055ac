package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * MV-CLIP (MV-MLM §3.4): L_I,I(z_view1, z_view2, τ2) + L_I,T(z_view1, z_text, τ1) with equal
 * weights. L_I,T is the symmetric image–text InfoNCE of MV-MLM eq. (2), L_I,I the symmetric CC↔MLO
 * InfoNCE of eq. (3) (§3.3); "the views are inter-changed with a probability of 0.5" (§3.4), so the
 * view paired with the report is CC or MLO per breast. τ1 = 0.007 and τ2 = 0.1 (§4.2) come in as
 * the scales (see {@link org.mammotriage.training.model.PretrainMethod#MVCLIP}).
 *
 * <p>Predictions [z_cc, z_mlo, z_text, scale_text, scale_view]; labels [swap] with swap_i = 1 when
 * breast i uses its MLO view for the text (drawn with p = 0.5 by the batch sampler, so it is
 * reproducible from the seed).
 */
public class MvClipLoss extends PretrainLoss {
  private final float viewWeight;

  public MvClipLoss() {
    this(1f);
  }

  /**
   * @param viewWeight weight of L_I,I (MV-MLM uses 1; 0 is the ablation without the view term)
   */
  public MvClipLoss(float viewWeight) {
    super("mvclip");
    this.viewWeight = viewWeight;
  }

  protected MvClipLoss(String name) {
    super(name);
    this.viewWeight = 1f;
  }

  @Override
  public List<String> partNames() {
    return List.of("it", "ii");
  }

  @Override
  public NDList parts(NDList labels, NDList p) {
    NDArray zCc = p.get(0);
    NDArray zMlo = p.get(1);
    NDArray swap = labels.get(0).reshape(-1, 1);
    NDArray zView = zCc.mul(swap.neg().add(1f)).add(zMlo.mul(swap));
    NDArray it = InfoNce.symmetric(zView, p.get(2), p.get(3));
    NDArray ii = InfoNce.symmetric(zCc, zMlo, p.get(4));
    return new NDList(it.add(ii.mul(viewWeight)), it, ii);
  }
}
