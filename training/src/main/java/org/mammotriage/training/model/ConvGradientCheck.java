package org.mammotriage.training.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A self-check, before training, that the engine computes each of the network's convolutions —
 * forward, input gradient and weight gradient — as a plain double-precision reference does, on
 * random data of the convolution's own channel counts, kernel, stride, padding and groups.
 *
 * <p>Why: PyTorch's CPU convolutions run on oneDNN, and on AVX-512 machines oneDNN 3.7 (the one in
 * libtorch 2.7.1) computes the input gradient of convolutions whose channel count is not a multiple
 * of 16 from uninitialised padding: the gradients are wrong, differ from run to run and are
 * sometimes NaN, while the forward pass and the loss look normal. Training then learns from garbage
 * with nothing to show for it (measured: two identical runs part at step 2; some runs diverge to
 * NaN). {@code ONEDNN_MAX_CPU_ISA=AVX2}, which {@code ./run} and the training image set, avoids
 * those kernels; this check catches that fault and any like it wherever training is started, and
 * refuses to train with a message that says what to do.
 */
public final class ConvGradientCheck {
  /** Largest relative error (of the output's largest magnitude) a float32 convolution may show. */
  static final double TOLERANCE = 1e-3;

  private static final int BATCH = 4;

  private ConvGradientCheck() {}

  /** One convolution's geometry: what the engine's kernel choice depends on. */
  public record ConvShape(
      int in, int out, int kh, int kw, int sh, int sw, int ph, int pw, int groups) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "conv %d→%d %dx%d stride %d%s",
          in,
          out,
          kh,
          kw,
          sh,
          groups > 1 ? " groups " + groups : "");
    }

    /** A small input height and width that give at least three output rows and columns. */
    int height() {
      return 3 * sh + kh;
    }

    int width() {
      return 3 * sw + kw;
    }

    int outHeight() {
      return (height() + 2 * ph - kh) / sh + 1;
    }

    int outWidth() {
      return (width() + 2 * pw - kw) / sw + 1;
    }

    /** Multiply-adds of one pass on the check's batch. */
    long macs() {
      return (long) BATCH * out * (in / groups) * kh * kw * outHeight() * outWidth();
    }
  }

  /** A pass of a convolution that disagrees with the reference. */
  public record Fault(ConvShape shape, String pass, double relativeError) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s: %s off by %s of its scale",
          shape,
          pass,
          Double.isFinite(relativeError)
              ? String.format(Locale.ROOT, "%.3g", relativeError)
              : "NaN/inf");
    }
  }

  /** A convolution as the engine computes it: (x, w, stride, padding, groups) → y. */
  @FunctionalInterface
  public interface ConvFn {
    NDArray apply(NDArray x, NDArray w, ConvShape s);
  }

  /** The engine's own 2-D convolution (what the network's {@link Conv2d} blocks call). */
  public static final ConvFn ENGINE =
      (x, w, s) ->
          Conv2d.conv2d(
                  x,
                  w,
                  null,
                  new Shape(s.sh(), s.sw()),
                  new Shape(s.ph(), s.pw()),
                  new Shape(1, 1),
                  s.groups())
              .singletonOrThrow();

  /** The distinct 2-D convolutions of an initialised {@code block}, in the order met. */
  public static Set<ConvShape> shapesOf(Block block) {
    Set<ConvShape> out = new LinkedHashSet<>();
    collect(block, out);
    return out;
  }

  private static void collect(Block block, Set<ConvShape> out) {
    if (block instanceof Conv2d c) {
      Parameter weight = c.getParameters().get("weight");
      if (weight != null && weight.isInitialized()) {
        Shape w = weight.getArray().getShape(); // (out, in / groups, kh, kw)
        Shape k = c.getKernelShape();
        Shape st = c.getStride();
        Shape p = c.getPadding();
        Shape d = c.getDilation();
        if (d.get(0) == 1 && d.get(1) == 1) {
          out.add(
              new ConvShape(
                  (int) w.get(1) * c.getGroups(),
                  (int) w.get(0),
                  (int) k.get(0),
                  (int) k.get(1),
                  (int) st.get(0),
                  (int) st.get(1),
                  (int) p.get(0),
                  (int) p.get(1),
                  c.getGroups()));
        }
      }
    }
    for (Block child : block.getChildren().values()) {
      collect(child, out);
    }
  }

  /**
   * Runs each shape {@code repeats} times through {@code conv} on {@code device} (the fault above
   * is intermittent with several threads) and returns every disagreement with the reference.
   */
  public static List<Fault> check(
      Collection<ConvShape> shapes, int repeats, ConvFn conv, Device device, long seed) {
    List<Fault> faults = new ArrayList<>();
    Random rnd = new Random(seed);
    try (NDManager m = NDManager.newBaseManager(device)) {
      for (ConvShape s : shapes) {
        // the fault is intermittent with several threads: repeat what is cheap to repeat
        int n =
            s.macs() <= 1_000_000L ? repeats : s.macs() <= 20_000_000L ? Math.min(repeats, 3) : 1;
        for (int r = 0; r < n; r++) {
          Fault f = checkOnce(m, s, conv, rnd);
          if (f != null) {
            faults.add(f);
            break;
          }
        }
      }
    }
    return faults;
  }

  /**
   * Checks {@code block}'s convolutions on the engine and throws, saying what to do, when any is
   * computed wrongly; reports the outcome to {@code progress}.
   */
  public static void requireCorrect(Block block, Device device, Consumer<String> progress) {
    Set<ConvShape> shapes = shapesOf(block);
    if (shapes.isEmpty()) {
      return;
    }
    List<Fault> faults = check(shapes, 16, ENGINE, device, 20_261_202L);
    String cap = System.getenv("ONEDNN_MAX_CPU_ISA");
    if (!faults.isEmpty()) {
      throw new IllegalStateException(
          "the deep-learning engine computes this network's convolutions wrongly on this machine ("
              + faults.get(0)
              + (faults.size() > 1 ? "; " + (faults.size() - 1) + " more" : "")
              + "), so training would learn from wrong gradients. On CPUs with AVX-512, oneDNN"
              + " 3.7 (in PyTorch 2.7) gets the input gradient wrong for channel counts that are"
              + " not a multiple of 16: set ONEDNN_MAX_CPU_ISA=AVX2 in the environment (./run and"
              + " the training image do; now "
              + (cap == null ? "unset" : "'" + cap + "'")
              + "), or use widths that are multiples of 16");
    }
    progress.accept(
        "convolution self-check: "
            + shapes.size()
            + " shapes agree with the reference (forward and both gradients; ONEDNN_MAX_CPU_ISA "
            + (cap == null ? "unset" : cap)
            + ")");
  }

  private static Fault checkOnce(NDManager m, ConvShape s, ConvFn conv, Random rnd) {
    int cin = s.in() / s.groups();
    float[] x = gaussian(rnd, BATCH * s.in() * s.height() * s.width());
    float[] w = gaussian(rnd, s.out() * cin * s.kh() * s.kw());
    float[] g = gaussian(rnd, BATCH * s.out() * s.outHeight() * s.outWidth());
    float[] y;
    float[] dx;
    float[] dw;
    try (NDManager sub = m.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray xa = sub.create(x, new Shape(BATCH, s.in(), s.height(), s.width()));
      NDArray wa = sub.create(w, new Shape(s.out(), cin, s.kh(), s.kw()));
      NDArray ga = sub.create(g, new Shape(BATCH, s.out(), s.outHeight(), s.outWidth()));
      xa.setRequiresGradient(true);
      wa.setRequiresGradient(true);
      NDArray ya = conv.apply(xa, wa, s);
      gc.backward(ya.mul(ga).sum());
      y = ya.toFloatArray();
      dx = xa.getGradient().toFloatArray();
      dw = wa.getGradient().toFloatArray();
    }
    Reference ref = new Reference(s, x, w, g);
    double e = relativeError(y, ref.forward());
    if (!(e <= TOLERANCE)) {
      return new Fault(s, "forward", e);
    }
    double[][] grads = ref.gradients();
    e = relativeError(dx, grads[0]);
    if (!(e <= TOLERANCE)) {
      return new Fault(s, "input gradient", e);
    }
    e = relativeError(dw, grads[1]);
    if (!(e <= TOLERANCE)) {
      return new Fault(s, "weight gradient", e);
    }
    return null;
  }

  /** max |a − ref| / max |ref|; NaN when {@code a} holds a NaN or the lengths differ. */
  static double relativeError(float[] a, double[] ref) {
    if (a.length != ref.length) {
      return Double.NaN;
    }
    double scale = 1e-12;
    double err = 0;
    for (int i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      double d = Math.abs(a[i] - ref[i]);
      if (Double.isNaN(d)) {
        return Double.NaN;
      }
      err = Math.max(err, d);
    }
    return err / scale;
  }

  private static float[] gaussian(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  /** The direct definition of a grouped 2-D cross-correlation and its two gradients, in double. */
  private record Reference(ConvShape s, float[] x, float[] w, float[] g) {
    double[] forward() {
      double[] y = new double[BATCH * s.out() * s.outHeight() * s.outWidth()];
      visit((yi, xi, wi) -> y[yi] += (double) x[xi] * w[wi]);
      return y;
    }

    /** {dL/dx, dL/dw} for L = Σ y·g. */
    double[][] gradients() {
      double[] dx = new double[x.length];
      double[] dw = new double[w.length];
      visit(
          (yi, xi, wi) -> {
            dx[xi] += (double) g[yi] * w[wi];
            dw[wi] += (double) g[yi] * x[xi];
          });
      return new double[][] {dx, dw};
    }

    private interface Term {
      void accept(int yIndex, int xIndex, int wIndex);
    }

    /** Every (output, input, weight) product of the convolution, once. */
    private void visit(Term t) {
      int cin = s.in() / s.groups();
      int coutPerGroup = s.out() / s.groups();
      int h = s.height();
      int wd = s.width();
      int oh = s.outHeight();
      int ow = s.outWidth();
      for (int b = 0; b < BATCH; b++) {
        for (int o = 0; o < s.out(); o++) {
          int group = o / coutPerGroup;
          for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
              int yi = ((b * s.out() + o) * oh + oy) * ow + ox;
              for (int c = 0; c < cin; c++) {
                int ic = group * cin + c;
                for (int ky = 0; ky < s.kh(); ky++) {
                  int iy = oy * s.sh() - s.ph() + ky;
                  if (iy < 0 || iy >= h) {
                    continue;
                  }
                  for (int kx = 0; kx < s.kw(); kx++) {
                    int ix = ox * s.sw() - s.pw() + kx;
                    if (ix < 0 || ix >= wd) {
                      continue;
                    }
                    t.accept(
                        yi,
                        ((b * s.in() + ic) * h + iy) * wd + ix,
                        ((o * cin + c) * s.kh() + ky) * s.kw() + kx);
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
