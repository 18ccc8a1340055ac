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
 * Everything a pretraining step runs: the image and text towers, learnable temperatures, and GLAM's
 * local head. Inputs and outputs depend on the method:
 *
 * <ul>
 *   <li>CLIP: in [image, ids, mask] → out [z_image, z_text, scale_text]
 *   <li>MV-CLIP: in [cc, mlo, ids, mask] → out [z_cc, z_mlo, z_text, scale_text, scale_view]
 *   <li>GLAM: as MV-CLIP, plus [q_cc, p_cc, q_mlo, p_mlo, scale_local]
 * </ul>
 *
 * Scales are 1/τ, learned as log-scales clamped to [0, ln 100] (CLIP's recipe).
 */
public final class PretrainNet extends AbstractBlock {
  static final float MAX_LOG_SCALE = (float) Math.log(100);
  private final PretrainMethod method;
  private final ModelConfig config;
  private final ImageTower image;
  private final TextTower text;
  private final GlamLocalHead local;
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
    logScaleText = addParameter(scale("log_scale_text", 0.07));
    logScaleView = method.multiView() ? addParameter(scale("log_scale_view", 0.1)) : null;
    logScaleLocal =
        method == PretrainMethod.GLAM ? addParameter(scale("log_scale_local", 0.1)) : null;
  }

  private static Parameter scale(String name, double tau) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.OTHER)
        .optShape(new Shape(1))
        .optInitializer(new ConstantInitializer((float) Math.log(1 / tau)))
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
      NDArray zText =
          text.forward(ps, new NDList(in.get(1), in.get(2)), training).singletonOrThrow();
      return new NDList(zImage, zText, scale(ps, logScaleText, zImage, training));
    }
    NDArray cc = in.get(0);
    long b = cc.getShape().get(0);
    // one pass over both views: batch norm sees CC and MLO together
    NDList both = image.forward(ps, new NDList(cc.concat(in.get(1), 0)), training);
    NDArray z = both.get(0);
    NDArray zCc = z.get("0:" + b);
    NDArray zMlo = z.get(b + ":");
    NDArray zText = text.forward(ps, new NDList(in.get(2), in.get(3)), training).singletonOrThrow();
    NDList out =
        new NDList(
            zCc,
            zMlo,
            zText,
            scale(ps, logScaleText, z, training),
            scale(ps, logScaleView, z, training));
    if (local != null) {
      NDArray f = both.get(1);
      NDList l = local.forward(ps, new NDList(f.get("0:" + b), f.get(b + ":")), training);
      out.addAll(l);
      out.add(scale(ps, logScaleLocal, z, training));
    }
    return out;
  }

  private static NDArray scale(
      ParameterStore ps, Parameter logScale, NDArray like, boolean training) {
    return ps.getValue(logScale, like.getDevice(), training).clip(0f, MAX_LOG_SCALE).exp();
  }

  /** Input shapes for a batch of {@code b} breasts (CLIP: b images). */
  public Shape[] inputShapes(int b) {
    Shape img = new Shape(b, 1, config.inputHeight(), config.inputWidth());
    Shape ids = new Shape(b, config.textMaxLength());
    return method == PretrainMethod.CLIP
        ? new Shape[] {img, ids, ids}
        : new Shape[] {img, img, ids, ids};
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    long b = in[0].get(0);
    Shape z = new Shape(b, config.embeddingDim());
    Shape one = new Shape(1);
    if (method == PretrainMethod.CLIP) {
      return new Shape[] {z, z, one};
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
    if (local != null) {
      Shape f = image.getOutputShapes(new Shape[] {img})[1];
      local.initialize(manager, dataType, f, f);
    }
  }
}
