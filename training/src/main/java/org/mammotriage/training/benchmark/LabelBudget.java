package org.mammotriage.training.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mammotriage.training.pretrain.BreastSample;

/**
 * The labelled subset a probe trains on, sized in absolute counts: a share {@code f} of the
 * labelled breasts of each class, but never fewer than {@code minPerClass} of a class (or all of
 * them when there are fewer). A 1 % budget of 300 positives is thus 10 positives, not 3. Breasts,
 * not images, are drawn, so the CC and MLO of a breast go together.
 */
final class LabelBudget {
  private LabelBudget() {}

  /** Result: the indices into {@code set} of the chosen images and the count per class. */
  record Subset(List<Integer> images, int[] perClass) {}

  static Subset sample(
      ImageSet set, String task, int classes, double f, int minPerClass, Random rnd) {
    Map<String, List<Integer>> byBreast = new LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      BreastSample b = set.breasts().get(i);
      if (b.label(task) >= 0) {
        byBreast.computeIfAbsent(b.key(), k -> new ArrayList<>()).add(i);
      }
    }
    List<List<String>> keysByClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      keysByClass.add(new ArrayList<>());
    }
    for (Map.Entry<String, List<Integer>> e : byBreast.entrySet()) {
      int label = set.breasts().get(e.getValue().get(0)).label(task);
      keysByClass.get(label).add(e.getKey());
    }
    List<Integer> images = new ArrayList<>();
    int[] perClass = new int[classes];
    for (int c = 0; c < classes; c++) {
      List<String> keys = keysByClass.get(c);
      Collections.shuffle(keys, rnd);
      int n = Math.min(keys.size(), Math.max(minPerClass, (int) Math.round(f * keys.size())));
      for (String k : keys.subList(0, n)) {
        images.addAll(byBreast.get(k));
      }
      perClass[c] = n;
    }
    Collections.sort(images);
    return new Subset(images, perClass);
  }
}
