package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * Everything a pretraining step runs: the image and text towers, the temperatures, and GLAM's or
 * MaMA's local head. Inputs and outputs depend on the method:
 *
 * <ul>
 *   <li>CLIP: in [image, ids, mask] → out [z_image, z_text, scale_text]
 *   <li>MV-CLIP: in [cc, mlo, ids, mask] → out [z_cc, z_mlo, z_text, scale_text, scale_view]
 *   <li>GLAM: in as MV-CLIP plus, optionally, the per-sample region masks of CC and MLO ({@link
 *       DepthColumns}); out as MV-CLIP plus [q_cc, p_cc, q_mlo, p_mlo, scale_local]
 *   <li>MaMA: in [image, partner, ids, mask] → out [v, v_partner, z_text, scale_text, scale_view,
 *       patches (B, P, d), token features (B, L, d), scale_local]
 * </ul>
 *
 * Scales are 1/τ, stored as log-scales. A learnable one is clamped to 1 ≤ 1/τ ≤ {@value #MAX_SCALE}
 * (CLIP's recipe, with the ceiling raised from 100 so that MV-MLM's τ1 = 0.007, 1/τ = 142.9, is
 * reachable); a fixed one (the papers that set τ) keeps its value and gets no gradient. Initial
 * values and which are learned come from {@link PretrainMethod#temperatures()}.
 */
public final class PretrainNet extends AbstractBlock {
  /** Largest 1/τ a learnable temperature can reach (τ ≥ 0.005). */
  public static final float MAX_SCALE = 200f;

  static final float MAX_LOG_SCALE = (float) Math.log(MAX_SCALE);
  private final PretrainMethod method;
  private final ModelConfig config;
  private final ImageTower image;
  private final TextTower text;
  private final GlamLocalHead local;
  private final MamaLocalHead mamaLocal;
  private final Parameter logScaleText;
  private final Parameter logScaleView;
  private final Parameter logScaleLocal;

  public PretrainNet(PretrainMethod method, ModelConfig config) {
    super((byte) 1);
    this.method = method;
    this.config = config;
    image = addChildBlock("image", config.imageTower());
    text = addChildBlock("text", config.textTower());
    local = method == PretrainMethod.GLAM ? addChildBlock("glam", config.glamHead()) : null;
    mamaLocal =
        method == PretrainMethod.MAMA
            ? addChildBlock("mama", new MamaLocalHead(config.glamDim()))
            : null;
    PretrainMethod.Temperatures t = method.temperatures();
    logScaleText = addParameter(scale("log_scale_text", t.text()));
    logScaleView = t.view() != null ? addParameter(scale("log_scale_view", t.view())) : null;
    logScaleLocal = t.local() != null ? addParameter(scale("log_scale_local", t.local())) : null;
  }

  private static Parameter scale(String name, PretrainMethod.Temperature t) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.OTHER)
        .optShape(new Shape(1))
        .optInitializer(new ConstantInitializer((float) Math.log(1 / t.tau())))
        .optRequiresGrad(t.learnable())
        .build();
  }

  public PretrainMethod method() {
    return method;
  }

  public ModelConfig config() {
    return config;
  }

  /** The image encoder (what is exported and evaluated). */
  public ImageTower imageTower() {
    return image;
  }

  public TextTower textTower() {
    return text;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
    if (method == PretrainMethod.CLIP) {
      NDArray zImage = image.forward(ps, new NDList(in.get(0)), training).get(0);
      NDArray zText = text.forward(ps, new NDList(in.get(1), in.get(2)), training).get(0);
      return new NDList(zImage, zText, scale(ps, logScaleText, zImage, training));
    }
    NDArray first = in.get(0);
    long b = first.getShape().get(0);
    // one pass over both images: batch norm sees them together
    NDList both = image.forward(ps, new NDList(first.concat(in.get(1), 0)), training);
    NDArray z = both.get(0);
    NDList textOut = text.forward(ps, new NDList(in.get(2), in.get(3)), training);
    NDList out =
        new NDList(
            z.get("0:" + b),
            z.get(b + ":"),
            textOut.get(0),
            scale(ps, logScaleText, z, training),
            scale(ps, logScaleView, z, training));
    NDArray f = both.get(1);
    if (local != null) {
      NDList l = new NDList(f.get("0:" + b), f.get(b + ":"));
      if (in.size() > 5) {
        l.add(in.get(4));
        l.add(in.get(5));
      }
      out.addAll(local.forward(ps, l, training));
      out.add(scale(ps, logScaleLocal, z, training));
    } else if (mamaLocal != null) {
      // SLA aligns the sampled image (not its partner) with its own report
      out.addAll(mamaLocal.forward(ps, new NDList(f.get("0:" + b), textOut.get(1)), training));
      out.add(scale(ps, logScaleLocal, z, training));
    }
    return out;
  }

  private static NDArray scale(
      ParameterStore ps, Parameter logScale, NDArray like, boolean training) {
    NDArray v = ps.getValue(logScale, like.getDevice(), training);
    return (logScale.requiresGradient() ? v.clip(0f, MAX_LOG_SCALE) : v).exp();
  }

  /** The image tower's feature map (C, h, w) for this config's input. */
  public Shape featureShape() {
    Shape f =
        image
            .getOutputShapes(
                new Shape[] {new Shape(1, 1, config.inputHeight(), config.inputWidth())})[1];
    return new Shape(f.get(1), f.get(2), f.get(3));
  }

  /** Input shapes for a batch of {@code b} breasts (CLIP: b images). */
  public Shape[] inputShapes(int b) {
    Shape img = new Shape(b, 1, config.inputHeight(), config.inputWidth());
    Shape ids = new Shape(b, config.textMaxLength());
    if (method == PretrainMethod.CLIP) {
      return new Shape[] {img, ids, ids};
    }
    if (method == PretrainMethod.GLAM) {
      Shape f = featureShape();
      Shape regions =
          new Shape(b, (long) config.glamGrid() * config.glamGrid(), f.get(1) * f.get(2));
      return new Shape[] {img, img, ids, ids, regions, regions};
    }
    return new Shape[] {img, img, ids, ids};
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    long b = in[0].get(0);
    Shape z = new Shape(b, config.embeddingDim());
    Shape one = new Shape(1);
    if (method == PretrainMethod.CLIP) {
      return new Shape[] {z, z, one};
    }
    if (method == PretrainMethod.MAMA) {
      Shape f = featureShape();
      Shape patches = new Shape(b, f.get(1) * f.get(2), config.glamDim());
      Shape tokens = new Shape(b, in[2].get(1), config.glamDim());
      return new Shape[] {z, z, z, one, one, patches, tokens, one};
    }
    if (local == null) {
      return new Shape[] {z, z, z, one, one};
    }
    Shape l = new Shape(b, (long) config.glamGrid() * config.glamGrid(), config.glamDim());
    return new Shape[] {z, z, z, one, one, l, l, l, l, one};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape img = in[0];
    Shape imgBatch =
        method == PretrainMethod.CLIP
            ? img
            : new Shape(img.get(0) * 2, img.get(1), img.get(2), img.get(3));
    image.initialize(manager, dataType, imgBatch);
    int t = method == PretrainMethod.CLIP ? 1 : 2;
    text.initialize(manager, dataType, in[t], in[t + 1]);
    Shape f = image.getOutputShapes(new Shape[] {img})[1];
    if (local != null) {
      local.initialize(manager, dataType, f, f);
    }
    if (mamaLocal != null) {
      mamaLocal.initialize(manager, dataType, f, text.getOutputShapes(new Shape[] {in[t]})[1]);
    }
  }
}
