package org.mammotriage.training.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mammotriage.training.pretrain.PretrainData;

/** Public access to the image sets the comparison scores (for the command and its report). */
public final class ImageSets {
  private ImageSets() {}

  /** The test images in the order every run's scores follow. */
  public static ImageSet test(PretrainData data) {
    return ImageSet.of(data, "test");
  }

  /** Images per split (train, both validation halves, test). */
  public static Map<String, Integer> counts(PretrainData data) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String s :
        new String[] {
          "train", ValidationHalves.SELECTION_SPLIT, ValidationHalves.THRESHOLD_SPLIT, "test"
        }) {
      m.put(s, ImageSet.of(data, s).size());
    }
    return m;
  }
}
