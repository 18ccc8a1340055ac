package org.mammotriage.training.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.training.pretrain.BreastSample;
import org.mammotriage.training.pretrain.PretrainData;

/** The images of one split in a fixed order (CC then MLO of each breast), with their breasts. */
public record ImageSet(String split, List<Path> images, List<BreastSample> breasts) {

  static ImageSet of(PretrainData data, String split) {
    List<Path> images = new ArrayList<>();
    List<BreastSample> breasts = new ArrayList<>();
    for (BreastSample b : data.split(split, false)) {
      for (Path p : new Path[] {b.cc(), b.mlo()}) {
        if (p != null) {
          images.add(p);
          breasts.add(b);
        }
      }
    }
    return new ImageSet(split, List.copyOf(images), List.copyOf(breasts));
  }

  int size() {
    return images.size();
  }

  /** Labels of a task per image (−1 unknown). */
  int[] labels(String task) {
    int[] y = new int[breasts.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = breasts.get(i).label(task);
    }
    return y;
  }

  /** The patient of each image (what the bootstrap resamples). */
  String[] patients() {
    return breasts.stream().map(BreastSample::patientId).toArray(String[]::new);
  }
}
