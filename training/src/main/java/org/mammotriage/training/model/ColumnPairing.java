package org.mammotriage.training.model;

/**
 * GLAM's geometry: on a g×g grid of super-patches (index = row·g + column) over a working image
 * with the chest wall on the LEFT, the column is the distance from the chest wall (the AP
 * position). A CC super-patch at (row i, column j) corresponds to the whole MLO column j (the AP
 * slice at the same chest-wall distance), and vice versa.
 */
public final class ColumnPairing {
  /** Additive mask value for pairs that must not attend to each other. */
  public static final float BLOCKED = -1e9f;

  private ColumnPairing() {}

  public static int row(int patch, int grid) {
    return patch / grid;
  }

  /** The column, i.e. the chest-wall-distance bin, of a super-patch. */
  public static int column(int patch, int grid) {
    return patch % grid;
  }

  /** True when a super-patch of one view may attend to a super-patch of the other view. */
  public static boolean pairs(int queryPatch, int keyPatch, int grid) {
    return column(queryPatch, grid) == column(keyPatch, grid);
  }

  /** The indices of the other view's super-patches that a query super-patch attends to. */
  public static int[] slice(int queryPatch, int grid) {
    int[] out = new int[grid];
    int c = column(queryPatch, grid);
    for (int r = 0; r < grid; r++) {
      out[r] = r * grid + c;
    }
    return out;
  }

  /**
   * The M×M additive attention mask (row-major): 0 inside the same column, {@link #BLOCKED}
   * outside.
   */
  public static float[] additiveMask(int grid) {
    int m = grid * grid;
    float[] mask = new float[m * m];
    for (int q = 0; q < m; q++) {
      for (int k = 0; k < m; k++) {
        mask[q * m + k] = pairs(q, k, grid) ? 0f : BLOCKED;
      }
    }
    return mask;
  }
}
