package org.mammotriage.training.heads;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;
import org.mammotriage.scoring.ImagePreparer;

/**
 * Reads one view for the model exactly as serving does: DICOM → ingest's {@link Preprocessor}
 * (working image) → the scorer's {@link ImagePreparer} resize → (x/255 − mean) / std. A PNG path is
 * taken as an already preprocessed working image.
 */
public final class ViewImageLoader {
  private final Preprocessor preprocessor;
  private final int height;
  private final int width;
  private final double mean;
  private final double std;

  public ViewImageLoader(
      Preprocessor preprocessor, int height, int width, double mean, double std) {
    this.preprocessor = preprocessor;
    this.height = height;
    this.width = width;
    this.mean = mean;
    this.std = std;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** H×W normalised pixels. */
  public float[] load(Path image) throws IOException {
    float[] resized;
    if (image.getFileName().toString().toLowerCase().endsWith(".png")) {
      resized = ImagePreparer.decodeAndResize(Files.readAllBytes(image), height, width);
    } else {
      AttributeList list = new AttributeList();
      try {
        list.read(image.toFile());
        WorkingImage wi = preprocessor.process(list);
        resized = ImagePreparer.areaResize(wi.gray(), wi.rows(), wi.cols(), height, width);
      } catch (DicomException e) {
        throw new IOException(image + " cannot be read as DICOM: " + e.getMessage(), e);
      }
    }
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    for (int i = 0; i < resized.length; i++) {
      resized[i] = resized[i] * scale - shift;
    }
    return resized;
  }
}
