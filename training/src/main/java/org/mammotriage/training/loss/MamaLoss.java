package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.mammotriage.training.model.L2Normalize;

/**
 * MaMA's pre-training target (MaMA appendix A.4, eq. 4): L = L_VV(v, ṽ) + L_VT(v, t) + L_VT(ṽ, t) +
 * w·L_local.
 *
 * <ul>
 *   <li>L_VV (§3.2, eq. 1): InfoNCE between an image's embedding v and its partner's ṽ, "following
 *       the design of SimCLR": NT-Xent over the 2B embeddings, τ1. The partner is another image of
 *       the same study or, with p = 0.5, the same image augmented again (A.7), drawn by the batch
 *       sampler.
 *   <li>L_VT (§3.2, eq. 2): CLIP's symmetric image–text InfoNCE at the learnable τ2, computed for
 *       both v and ṽ against the same report t (the partner's report is not used).
 *   <li>L_local (§3.3, eq. 3, Algorithm 1 in A.3): symmetric local alignment. C_{i,j} (S × P) holds
 *       the cosine similarities between the sentences of report j and the patches of image i.
 *       Visual localization c^V_{i,j} = mean over sentences of the max over patches; textual
 *       localization c^T_{i,j} = mean over patches of the max over sentences. L^V and L^T are
 *       symmetric InfoNCE over the batch (rows and columns) of c/τ_local; L_local = ½(L^V + L^T).
 *       Sentences are the token features at each sentence's closing full stop (MaMA takes the [SEP]
 *       token of each sentence; this tokenizer marks sentence ends with "." and puts one [SEP] at
 *       the end).
 *   <li>w = 0 for the first 20 % of the steps, then 1 (MaMA adds SLA after 8k of 40k steps); the
 *       trainer passes it as a label.
 * </ul>
 *
 * <p>Predictions: [v, ṽ, t, scale_text (1/τ2), scale_view (1/τ1), patches (B, P, d), token features
 * (B, L, d), scale_local]. Labels: [sentence mask (B, L), 1 at sentence ends; local weight (1)].
 */
public final class MamaLoss extends PretrainLoss {
  static final float NEG = -1e4f;

  public MamaLoss() {
    super("mama");
  }

  @Override
  public List<String> partNames() {
    return List.of("vv", "vt", "local");
  }

  @Override
  public NDList parts(NDList labels, NDList p) {
    NDArray v = p.get(0);
    NDArray partner = p.get(1);
    NDArray t = p.get(2);
    NDArray vv = InfoNce.ntXent(v, partner, p.get(4));
    NDArray vt = InfoNce.symmetric(v, t, p.get(3)).add(InfoNce.symmetric(partner, t, p.get(3)));
    NDArray local = symmetricLocalAlignment(p.get(5), p.get(6), labels.get(0), p.get(7));
    NDArray total = vv.add(vt).add(local.mul(labels.get(1).reshape(new Shape())));
    return new NDList(total, vv, vt, local);
  }

  /**
   * SLA (MaMA eq. 3): patches (B, P, d), token features (B, L, d), sentence mask (B, L).
   *
   * @return ½ (L^V + L^T)
   */
  public static NDArray symmetricLocalAlignment(
      NDArray patches, NDArray tokens, NDArray sentenceMask, NDArray scale) {
    NDArray c = correspondence(patches, tokens); // (B_img, B_txt, P, L)
    NDArray m = sentenceMask.expandDims(0).expandDims(2); // (1, B_txt, 1, L)
    NDArray sentences = sentenceMask.sum(new int[] {1}).expandDims(0); // (1, B_txt)
    // visual localization: for each sentence the best patch, averaged over the sentences
    NDArray visual = c.max(new int[] {2}).mul(sentenceMask.expandDims(0)).sum(new int[] {2});
    visual = visual.div(sentences);
    // textual localization: for each patch the best sentence, averaged over the patches
    NDArray textual = c.add(m.neg().add(1f).mul(NEG)).max(new int[] {3}).mean(new int[] {2});
    NDArray lv = InfoNce.symmetricFromLogits(visual.mul(scale));
    NDArray lt = InfoNce.symmetricFromLogits(textual.mul(scale));
    return lv.add(lt).mul(0.5f);
  }

  /** Cosine similarities [i, j, p, l] between patch p of image i and token l of report j. */
  static NDArray correspondence(NDArray patches, NDArray tokens) {
    long b = patches.getShape().get(0);
    long np = patches.getShape().get(1);
    long d = patches.getShape().get(2);
    long nl = tokens.getShape().get(1);
    NDArray pn = L2Normalize.normalize(patches).reshape(b * np, d);
    NDArray tn = L2Normalize.normalize(tokens).reshape(b * nl, d);
    return pn.matMul(tn.transpose()).reshape(b, np, b, nl).transpose(0, 2, 1, 3);
  }
}
