package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.mammotriage.contract.Slot;
import org.mammotriage.training.data.ViewImageLoader;

/**
 * Image embeddings of exams from a frozen encoder, computed once so the heads train in seconds:
 * {@code [exam][slot][D]}, zeros for missing views (the heads mask them out).
 */
public record EmbeddingTable(List<ExamRecord> exams, float[][][] embeddings, int dim) {

  /**
   * Encodes every present view of {@code exams} in batches of {@code batch} images.
   *
   * @param progress receives a line per batch with rate and ETA
   */
  public static EmbeddingTable encode(
      Block encoder,
      NDManager manager,
      ViewImageLoader loader,
      List<ExamRecord> exams,
      int batch,
      Consumer<String> progress) {
    List<int[]> todo = new ArrayList<>();
    for (int e = 0; e < exams.size(); e++) {
      for (Slot s : Slot.values()) {
        if (exams.get(e).present(s)) {
          todo.add(new int[] {e, s.ordinal()});
        }
      }
    }
    float[][][] out = new float[exams.size()][4][];
    int dim = -1;
    int h = loader.height();
    int w = loader.width();
    long start = System.nanoTime();
    ParameterStore ps = new ParameterStore(manager, false);
    for (int from = 0; from < todo.size(); from += batch) {
      List<int[]> chunk = todo.subList(from, Math.min(todo.size(), from + batch));
      float[] pixels = new float[chunk.size() * h * w];
      for (int i = 0; i < chunk.size(); i++) {
        int[] t = chunk.get(i);
        try {
          float[] img = loader.load(exams.get(t[0]).images()[t[1]]);
          System.arraycopy(img, 0, pixels, i * h * w, h * w);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      try (NDManager sub = manager.newSubManager()) {
        NDArray x = sub.create(pixels, new Shape(chunk.size(), 1, h, w));
        float[] emb = encoder.forward(ps, new NDList(x), false).head().toFloatArray();
        dim = emb.length / chunk.size();
        for (int i = 0; i < chunk.size(); i++) {
          float[] v = new float[dim];
          System.arraycopy(emb, i * dim, v, 0, dim);
          out[chunk.get(i)[0]][chunk.get(i)[1]] = v;
        }
      }
      int done = Math.min(todo.size(), from + batch);
      double secs = (System.nanoTime() - start) / 1e9;
      progress.accept(
          String.format(
              java.util.Locale.ROOT,
              "encoded %d/%d images, %.1f img/s, ETA %.0f s",
              done,
              todo.size(),
              done / secs,
              (todo.size() - done) / Math.max(1e-9, done / secs)));
    }
    for (float[][] exam : out) {
      for (int s = 0; s < 4; s++) {
        if (exam[s] == null) {
          exam[s] = new float[Math.max(dim, 0)];
        }
      }
    }
    return new EmbeddingTable(List.copyOf(exams), out, dim);
  }

  /** The exams of one split (train/val/test). */
  public EmbeddingTable split(String name) {
    List<ExamRecord> e = new ArrayList<>();
    List<float[][]> v = new ArrayList<>();
    for (int i = 0; i < exams.size(); i++) {
      if (name.equals(exams.get(i).split())) {
        e.add(exams.get(i));
        v.add(embeddings[i]);
      }
    }
    return new EmbeddingTable(e, v.toArray(new float[0][][]), dim);
  }

  /** Embeddings [n, 4, D] of the exams at {@code idx}. */
  public NDArray batch(NDManager m, int[] idx) {
    float[] flat = new float[idx.length * 4 * dim];
    for (int i = 0; i < idx.length; i++) {
      for (int s = 0; s < 4; s++) {
        System.arraycopy(embeddings[idx[i]][s], 0, flat, (i * 4 + s) * dim, dim);
      }
    }
    return m.create(flat, new Shape(idx.length, 4, dim));
  }

  /** Present masks [n, 4]. */
  public NDArray present(NDManager m, int[] idx) {
    float[] flat = new float[idx.length * 4];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(exams.get(idx[i]).presentMask(), 0, flat, i * 4, 4);
    }
    return m.create(flat, new Shape(idx.length, 4));
  }
}
