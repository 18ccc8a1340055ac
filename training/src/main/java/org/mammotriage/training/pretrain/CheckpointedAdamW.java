package org.mammotriage.training.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * AdamW whose state (first and second moment and update count of every parameter) can be saved and
 * restored, so a resumed run continues exactly where it stopped. DJL's {@code AdamW} keeps that
 * state private; this class performs the same update (the engine's fused {@code adamUpdate} with
 * decoupled weight decay, DJL's bias correction and defaults β1 = 0.9, β2 = 0.999, ε = 1e-8) with
 * state it owns.
 *
 * <p>State is keyed by parameter id while training (DJL's ids differ between runs) and by the
 * parameter's path in the block when saved. With several devices ({@link DataParallel}) DJL's
 * parameter server calls {@link #update} once per device copy with the same summed gradient: each
 * copy has its own moments and count (so every copy takes the same step and the copies stay equal),
 * and the copy on the first device seen is the one saved.
 */
public final class CheckpointedAdamW extends Optimizer {
  private static final int MAGIC = 0x4D414457; // "MADW"
  private static final int VERSION = 1;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final ParameterTracker learningRate;
  private final float weightDecay;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();

  /** Restored state not yet placed on a device: id → (count, mean, variance). */
  private final Map<String, Restored> pending = new HashMap<>();

  private record Restored(int count, float[] mean, float[] variance) {}

  public CheckpointedAdamW(ParameterTracker learningRate, float weightDecay) {
    super(new Builder().optWeightDecays(weightDecay));
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
  }

  /** The first device each parameter was updated on: its state is the one saved. */
  private final Map<String, ai.djl.Device> primary = new HashMap<>();

  /** Restored state kept for the other device copies of a parameter. */
  private final Map<String, Restored> restoredForCopies = new HashMap<>();

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    ai.djl.Device first = primary.computeIfAbsent(parameterId, k -> weight.getDevice());
    String id =
        first.equals(weight.getDevice()) ? parameterId : parameterId + "@" + weight.getDevice();
    Restored r = pending.remove(parameterId);
    if (r != null) {
      restoredForCopies.put(parameterId, r);
    } else if (!id.equals(parameterId) && !counts.containsKey(id)) {
      r = restoredForCopies.get(parameterId);
    }
    if (r != null) {
      counts.put(id, r.count());
      means.put(id, weight.getManager().create(r.mean(), weight.getShape()));
      variances.put(id, weight.getManager().create(r.variance(), weight.getShape()));
    }
    int t = counts.merge(id, 1, Integer::sum);
    double c1 = 1.0 - Math.pow(BETA1, t);
    double c2 = 1.0 - Math.pow(BETA2, t);
    float lr = learningRate.getNewValue(id, t);
    float biasCorrection = (float) (lr * Math.sqrt(c2) / c1);
    if (!Float.isFinite(lr) || !Float.isFinite(weightDecay)) {
      throw new IllegalArgumentException("learning rate or weight decay is NaN or infinite");
    }
    NDArray m = means.computeIfAbsent(id, k -> weight.zerosLike());
    NDArray v = variances.computeIfAbsent(id, k -> weight.zerosLike());
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, m, v),
            new NDList(weight),
            lr,
            biasCorrection,
            weightDecay,
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            true);
  }

  /** Writes the state of {@code block}'s parameters (by path) to {@code out}. */
  public void save(Block block, DataOutputStream out) throws IOException {
    Map<String, String> names = names(block);
    int n = 0;
    for (String id : names.keySet()) {
      n += counts.containsKey(id) || pending.containsKey(id) ? 1 : 0;
    }
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(n);
    for (Map.Entry<String, String> e : names.entrySet()) {
      String id = e.getKey();
      Restored r = pending.get(id);
      if (r == null && counts.containsKey(id)) {
        r =
            new Restored(
                counts.get(id), means.get(id).toFloatArray(), variances.get(id).toFloatArray());
      }
      if (r == null) {
        continue;
      }
      out.writeUTF(e.getValue());
      out.writeInt(r.count());
      out.writeInt(r.mean().length);
      for (float f : r.mean()) {
        out.writeFloat(f);
      }
      for (float f : r.variance()) {
        out.writeFloat(f);
      }
    }
  }

  /** Reads state written by {@link #save} for {@code block}; used at the next update. */
  public void load(Block block, DataInputStream in) throws IOException {
    if (in.readInt() != MAGIC || in.readInt() != VERSION) {
      throw new IOException("not an optimizer state file of this version");
    }
    Map<String, String> ids = new HashMap<>();
    names(block).forEach((id, name) -> ids.put(name, id));
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      int count = in.readInt();
      int len = in.readInt();
      float[] m = new float[len];
      float[] v = new float[len];
      for (int k = 0; k < len; k++) {
        m[k] = in.readFloat();
      }
      for (int k = 0; k < len; k++) {
        v[k] = in.readFloat();
      }
      String id = ids.get(name);
      if (id == null) {
        throw new IOException(
            "the optimizer state names parameter '"
                + name
                + "' that this model does not have: the checkpoint is of another architecture");
      }
      pending.put(id, new Restored(count, m, v));
    }
  }

  private static Map<String, String> names(Block block) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      m.put(p.getValue().getId(), p.getKey());
    }
    return m;
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
