package org.mammotriage.training.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel forward pass for the contrastive objectives: the batch is split along its first
 * axis into one shard per device, each shard runs through the network on its device (DJL's {@link
 * ai.djl.training.ParameterStore} keeps a copy of every parameter per device, the trainer was given
 * the devices with {@code optDevices}), and the per-sample outputs are gathered on the first device
 * before the loss. The loss therefore sees the whole batch — every other sample of every shard is a
 * negative, as with CLIP's all-gather (Radford et al. 2021, §2.5) — and its gradient reaches each
 * device's parameter copy through autograd; DJL's parameter server sums the copies' gradients and
 * {@link CheckpointedAdamW} applies the same update to each copy.
 *
 * <p>What differs from one device: batch normalisation sees a shard, not the batch (per-device
 * statistics, as PyTorch's DistributedDataParallel without SyncBatchNorm). Outputs of rank ≥ 2 are
 * per sample and are concatenated; rank-1 outputs (the temperatures 1/τ) are the same on every
 * shard and are taken from the first.
 *
 * <p>PyTorch has one CPU device, so on a machine without GPUs every shard runs on it, one after the
 * other: the result is the same split and gather (what the tests check), with less activation
 * memory per forward pass and no speed-up.
 */
public final class DataParallel {
  private DataParallel() {}

  /**
   * The devices for {@code shards} shards: the first {@code shards} GPUs when there are that many,
   * otherwise the engine's default device for every shard.
   */
  public static Device[] devices(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("data-parallel shards must be >= 1, got " + shards);
    }
    Device[] gpus = Engine.getInstance().getDevices(shards);
    Device[] out = new Device[shards];
    boolean enoughGpus = gpus.length >= shards && gpus[0].isGpu();
    for (int i = 0; i < shards; i++) {
      out[i] = enoughGpus ? gpus[i] : Engine.getInstance().defaultDevice();
    }
    return out;
  }

  /** The distinct devices of {@code devices}, in order (what the trainer is given). */
  public static Device[] distinct(Device[] devices) {
    return java.util.Arrays.stream(devices).distinct().toArray(Device[]::new);
  }

  /**
   * Runs {@code inputs} (every array batch-first) through the trainer's network in shards on {@code
   * devices} and gathers the outputs on {@code devices[0]}.
   */
  public static NDList forward(Trainer trainer, NDList inputs, Device[] devices) {
    long b = inputs.get(0).getShape().get(0);
    int k = devices.length;
    if (k == 1) {
      return trainer.forward(inputs);
    }
    if (b < 2L * k) {
      throw new IllegalArgumentException(
          "a batch of "
              + b
              + " cannot be split into "
              + k
              + " shards of at least 2 samples: raise --batch or lower --data-parallel");
    }
    List<NDList> outs = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      long lo = b * i / k;
      long hi = b * (i + 1) / k;
      NDList shard = new NDList(inputs.size());
      for (NDArray x : inputs) {
        if (x.getShape().get(0) != b) {
          throw new IllegalArgumentException(
              "input " + x.getShape() + " is not batch-first with batch " + b);
        }
        shard.add(x.get(lo + ":" + hi).toDevice(devices[i], false));
      }
      outs.add(trainer.forward(shard));
    }
    NDList gathered = new NDList(outs.get(0).size());
    for (int j = 0; j < outs.get(0).size(); j++) {
      NDArray first = outs.get(0).get(j);
      if (first.getShape().dimension() < 2) {
        gathered.add(first);
        continue;
      }
      NDList parts = new NDList(k);
      for (NDList o : outs) {
        parts.add(o.get(j).toDevice(devices[0], false));
      }
      gathered.add(NDArrays.concat(parts, 0));
    }
    return gathered;
  }
}
