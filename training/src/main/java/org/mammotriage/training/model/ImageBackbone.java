package org.mammotriage.training.model;

import ai.djl.nn.Block;

/**
 * The CNN or vision transformer at the bottom of the {@link ImageTower}: image (B, 1, H, W) → its
 * feature map (B, C, h, w) first, and for a backbone that pools by itself ({@link #pools()}, the
 * ViT's CLS token) the pooled vector (B, C) second.
 */
public interface ImageBackbone extends Block {
  /** Channels C of the feature map (and of the pooled vector). */
  int outputChannels();

  /** Whether the second output is the backbone's own pooled vector (then no pooling block). */
  default boolean pools() {
    return false;
  }
}
