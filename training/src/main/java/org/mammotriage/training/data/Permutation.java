package org.mammotriage.training.data;

import java.util.Random;

/** Seeded Fisher–Yates permutations: the sample order of every training loop. */
public final class Permutation {
  private Permutation() {}

  /** 0..n−1 in an order that depends only on {@code rnd}'s state. */
  public static int[] of(int n, Random rnd) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
