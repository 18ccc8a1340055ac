package org.mammotriage.training.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.mammotriage.progress.Progress;
import org.mammotriage.training.data.ViewImageLoader;

/** Frozen embeddings of images through an image tower (its first output), in batches. */
final class Embedder {
  private Embedder() {}

  static float[][] embed(
      Block tower,
      ViewImageLoader loader,
      List<Path> images,
      int batch,
      String what,
      Consumer<String> progress)
      throws IOException {
    int h = loader.height();
    int w = loader.width();
    float[][] out = new float[images.size()][];
    Progress bar = new Progress(what, "img", images.size(), 10_000, progress);
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      for (int from = 0; from < images.size(); from += batch) {
        int n = Math.min(batch, images.size() - from);
        float[] px = new float[n * h * w];
        for (int i = 0; i < n; i++) {
          System.arraycopy(loader.load(images.get(from + i)), 0, px, i * h * w, h * w);
        }
        try (NDManager sub = m.newSubManager()) {
          NDArray x = sub.create(px, new Shape(n, 1, h, w));
          NDArray z = tower.forward(ps, new NDList(x), false).get(0);
          float[] flat = z.toFloatArray();
          int d = (int) z.getShape().get(1);
          for (int i = 0; i < n; i++) {
            out[from + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
          }
        }
        bar.update(from + n, from + n, "");
      }
    }
    return out;
  }
}
