package org.mammotriage.training.data;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mammotriage.contract.image.ImagePreparer;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.ingest.preprocess.WorkingImage;

/**
 * Reads one view for the model exactly as serving does: DICOM → ingest's {@link Preprocessor}
 * (working image) → the scorer's {@link ImagePreparer} resize → (x/255 − mean) / std. A PNG path is
 * taken as an already preprocessed working image.
 *
 * <p>Optionally caches the working image as PNG on disk ({@link #withDiskCache}: a second run never
 * decodes DICOM again) and the model-sized pixels in memory up to a byte budget ({@link
 * #withMemoryCache}: an epoch loop over a small archive reads each image once; memory stays bounded
 * for a large one). Both caches hold exactly the pixels the uncached path computes: the PNG is
 * lossless and serving decodes the same PNG.
 *
 * <p>{@link #geometry} gives a view's {@link ViewGeometry} (pixel spacing and ingest crop), kept
 * next to the cached PNG as {@code <name>.geom}; a PNG input or a cache without it is read again
 * from DICOM once.
 */
public final class ViewImageLoader {
  private final Preprocessor preprocessor;
  private final int height;
  private final int width;
  private final double mean;
  private final double std;
  private final Path diskCache;
  private final Map<Path, float[]> memory;
  private final long memoryBudget;
  private final java.util.concurrent.atomic.AtomicLong memoryBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<Path, ViewGeometry> geometries = new ConcurrentHashMap<>();

  public ViewImageLoader(
      Preprocessor preprocessor, int height, int width, double mean, double std) {
    this(preprocessor, height, width, mean, std, null, null, 0);
  }

  private ViewImageLoader(
      Preprocessor preprocessor,
      int height,
      int width,
      double mean,
      double std,
      Path diskCache,
      Map<Path, float[]> memory,
      long memoryBudget) {
    this.preprocessor = preprocessor;
    this.height = height;
    this.width = width;
    this.mean = mean;
    this.std = std;
    this.diskCache = diskCache;
    this.memory = memory;
    this.memoryBudget = memoryBudget;
  }

  /** A loader that keeps working images as PNG under {@code dir} (keyed by the source path). */
  public ViewImageLoader withDiskCache(Path dir) {
    return new ViewImageLoader(preprocessor, height, width, mean, std, dir, memory, memoryBudget);
  }

  /**
   * A loader that keeps the normalised model-sized pixels of the images it loaded in memory, up to
   * a quarter of the JVM's maximum heap: a small archive is read once, a large one streams from
   * disk beyond the budget.
   */
  public ViewImageLoader withMemoryCache() {
    return withMemoryCache(Runtime.getRuntime().maxMemory() / 4);
  }

  /**
   * A loader that keeps model-sized pixels in memory until they take {@code maxBytes}; images
   * loaded after that are read from disk each time (a cache that stops filling never thrashes).
   */
  public ViewImageLoader withMemoryCache(long maxBytes) {
    return new ViewImageLoader(
        preprocessor, height, width, mean, std, diskCache, new ConcurrentHashMap<>(), maxBytes);
  }

  /** Bytes of pixels held by the memory cache. */
  public long memoryCacheBytes() {
    return memoryBytes.get();
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public double mean() {
    return mean;
  }

  public double std() {
    return std;
  }

  /** H×W normalised pixels (a shared array when the memory cache is on: do not modify it). */
  public float[] load(Path image) throws IOException {
    if (memory == null) {
      return compute(image);
    }
    Path key = image.toAbsolutePath().normalize();
    float[] cached = memory.get(key);
    if (cached == null) {
      cached = compute(key);
      long size = 4L * cached.length + 64;
      if (memoryBytes.addAndGet(size) <= memoryBudget) {
        if (memory.putIfAbsent(key, cached) != null) {
          memoryBytes.addAndGet(-size);
        }
      } else {
        memoryBytes.addAndGet(-size);
      }
    }
    return cached;
  }

  /**
   * Makes sure {@code image}'s working image is in the disk cache (preprocessing a DICOM view that
   * is not), without keeping pixels in memory. A PNG input or a loader without disk cache has
   * nothing to do.
   */
  public void ensureWorkingImage(Path image) throws IOException {
    Path key = image.toAbsolutePath().normalize();
    if (diskCache == null
        || key.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")
        || Files.isRegularFile(diskCache.resolve(cacheName(key)))) {
      return;
    }
    WorkingImage wi = preprocessWithGeometry(key).image();
    Files.createDirectories(diskCache);
    Path tmp = Files.createTempFile(diskCache, "wi", ".tmp");
    Files.write(tmp, wi.png());
    Files.move(
        tmp,
        diskCache.resolve(cacheName(key)),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** The view's spacing and crop; {@link ViewGeometry#unknown()} for a PNG working image. */
  public ViewGeometry geometry(Path image) throws IOException {
    Path key = image.toAbsolutePath().normalize();
    ViewGeometry g = geometries.get(key);
    if (g != null) {
      return g;
    }
    if (key.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      g = ViewGeometry.unknown();
    } else {
      Path side = diskCache == null ? null : diskCache.resolve(cacheName(key) + ".geom");
      if (side != null && Files.isRegularFile(side)) {
        g = ViewGeometry.parse(Files.readString(side, StandardCharsets.UTF_8));
      } else {
        g = preprocessWithGeometry(key).geometry();
      }
    }
    geometries.put(key, g);
    return g;
  }

  private float[] compute(Path image) throws IOException {
    float[] resized;
    if (image.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      resized = ImagePreparer.decodeAndResize(Files.readAllBytes(image), height, width);
    } else if (diskCache != null) {
      Path png = diskCache.resolve(cacheName(image));
      if (!Files.isRegularFile(png)) {
        WorkingImage wi = preprocessWithGeometry(image).image();
        Files.createDirectories(diskCache);
        Path tmp = Files.createTempFile(diskCache, "wi", ".tmp");
        Files.write(tmp, wi.png());
        Files.move(tmp, png, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the PNG's own decode path, as on every later read and in serving: a first read and a
        // cached read give bit-identical pixels (the streaming resize sums in another order)
        resized = ImagePreparer.decodeAndResize(wi.png(), height, width);
      } else {
        resized = ImagePreparer.decodeAndResize(Files.readAllBytes(png), height, width);
      }
    } else {
      WorkingImage wi = preprocess(image);
      resized = ImagePreparer.decodeAndResize(wi.png(), height, width);
    }
    float scale = (float) (1.0 / (255.0 * std));
    float shift = (float) (mean / std);
    for (int i = 0; i < resized.length; i++) {
      resized[i] = resized[i] * scale - shift;
    }
    return resized;
  }

  private WorkingImage preprocess(Path image) throws IOException {
    return preprocessWithGeometry(image).image();
  }

  private record Processed(WorkingImage image, ViewGeometry geometry) {}

  /** Preprocesses a DICOM view; records its geometry (memory, and the sidecar when caching). */
  private Processed preprocessWithGeometry(Path image) throws IOException {
    AttributeList list = new AttributeList();
    WorkingImage wi;
    try {
      list.read(image.toFile());
      wi = preprocessor.process(list);
    } catch (DicomException e) {
      throw new IOException(image + " cannot be read as DICOM: " + e.getMessage(), e);
    }
    ViewGeometry g = ViewGeometry.of(spacing(list), wi.version());
    Path key = image.toAbsolutePath().normalize();
    geometries.put(key, g);
    if (diskCache != null) {
      Files.createDirectories(diskCache);
      Path tmp = Files.createTempFile(diskCache, "geom", ".tmp");
      Files.writeString(tmp, g.serialize(), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          diskCache.resolve(cacheName(key) + ".geom"),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    return new Processed(wi, g);
  }

  /** Column spacing in mm: PixelSpacing, else ImagerPixelSpacing; NaN when neither is there. */
  private static double spacing(AttributeList l) {
    for (var tag :
        new com.pixelmed.dicom.AttributeTag[] {
          com.pixelmed.dicom.TagFromName.PixelSpacing,
          com.pixelmed.dicom.TagFromName.ImagerPixelSpacing
        }) {
      try {
        com.pixelmed.dicom.Attribute a = l.get(tag);
        if (a != null && a.getVM() >= 2) {
          double v = a.getDoubleValues()[1];
          if (v > 0) {
            return v;
          }
        }
      } catch (DicomException e) {
        // a malformed spacing is the same as none: the geometry is unknown
      }
    }
    return Double.NaN;
  }

  /** The working-image file name: preprocessing version + hash of the absolute source path. */
  static String cacheName(Path image) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  image.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return Preprocessor.VERSION + "-" + HexFormat.of().formatHex(d, 0, 16) + ".png";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
