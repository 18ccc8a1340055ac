package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * CLIP: symmetric image–text InfoNCE with a learnable temperature (Radford et al. 2021; the same
 * L_I,T as MV-MLM §3.2 eq. 2, MV-MLM's "(Custom-)CLIP" baseline). Predictions [z_image, z_text,
 * scale]; no labels (the i-th image belongs to the i-th report).
 */
public final class ClipLoss extends PretrainLoss {
  public ClipLoss() {
    super("clip");
  }

  @Override
  public List<String> partNames() {
    return List.of("it");
  }

  @Override
  public NDList parts(NDList labels, NDList p) {
    NDArray it = InfoNce.symmetric(p.get(0), p.get(1), p.get(2));
    return new NDList(it, it);
  }
}
