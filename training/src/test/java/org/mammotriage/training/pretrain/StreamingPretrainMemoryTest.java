package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.training.data.ManifestRow;
import org.mammotriage.training.data.TrainingManifest;

/**
 * Issue #23's memory acceptance: pretraining on an archive of 5,000 images runs in a JVM of 1 GB
 * heap. At 320×192 inputs the archive's model-sized pixels alone take 1.23 GB, so a loop that holds
 * every image cannot fit (the loop before the streaming pipeline, run on this archive and command
 * with -Xmx1g, died with OutOfMemoryError while loading); the streaming one holds at most prefetch
 * + 1 batches.
 */
class StreamingPretrainMemoryTest {
  private static final int WOMEN = 1250; // × 2 breasts × CC/MLO = 5,000 images

  @Test
  void shouldPretrainOnFiveThousandImagesInAOneGigabyteHeapHoldingFewBatches(@TempDir Path tmp)
      throws Exception {
    Path archive = tmp.resolve("archive");
    Path distinct = archive.resolve("distinct");
    Files.createDirectories(distinct);
    // 16 working images (PNG); 5,000 distinct paths hard-linked to them, as many files to read
    List<Path> sources = new ArrayList<>();
    for (int k = 0; k < 16; k++) {
      BufferedImage img = new BufferedImage(182, 304, BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 304; y++) {
        for (int x = 0; x < 182; x++) {
          double dx = (x - 10.0) / (60 + 5 * k);
          double dy = (y - 152.0 - 4 * k) / 130;
          int v = dx * dx + dy * dy < 1 ? 120 + ((x * 7 + y * 13 + k * 29) % 90) : 0;
          img.getRaster().setSample(x, y, 0, v);
        }
      }
      Path p = distinct.resolve("wi-" + k + ".png");
      ImageIO.write(img, "png", p.toFile());
      sources.add(p);
    }
    List<ManifestRow> rows = new ArrayList<>();
    Path images = archive.resolve("images");
    Files.createDirectories(images);
    int n = 0;
    for (int w = 0; w < WOMEN; w++) {
      for (String side : new String[] {"L", "R"}) {
        for (String view : new String[] {"CC", "MLO"}) {
          Path link = images.resolve(String.format("p%05d-%s-%s.png", w, side, view));
          Files.createLink(link, sources.get(n++ % sources.size()));
          rows.add(
              new ManifestRow(
                  "p" + w,
                  "s" + w,
                  "i" + n,
                  side,
                  view,
                  "images/" + link.getFileName(),
                  40 + w % 40,
                  1 + w % 4,
                  1,
                  0,
                  w % 7 == 0 ? 1 : 0,
                  0,
                  null,
                  3.0,
                  "train",
                  "SYNTH",
                  "2020-01-01",
                  null));
        }
      }
    }
    Path manifest = archive.resolve("manifest.csv");
    TrainingManifest.write(manifest, rows);
    assertThat(rows).hasSize(5000);

    Path out = tmp.resolve("model");
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            "org.mammotriage.training.cli.TrainMain",
            "pretrain",
            "--method",
            "mvclip",
            "--manifest",
            manifest.toString(),
            "--out",
            out.toString(),
            "--max-steps",
            "3",
            "--batch",
            "8",
            "--height",
            "320",
            "--width",
            "192",
            "--resnet-width",
            "8",
            "--token-layers",
            "0",
            "--workers",
            "2",
            "--prefetch",
            "2",
            "--image-cache",
            tmp.resolve("cache").toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(log).isZero();
    Matcher m =
        Pattern.compile("images/s, peak heap (\\d+) MB, at most (\\d+) batches held").matcher(log);
    assertThat(m.find()).as(log).isTrue();
    // prefetch 2 + the batch in training; every batch holds 8 breasts × 2 views
    assertThat(Integer.parseInt(m.group(2))).isBetween(1, 3);
    assertThat(Integer.parseInt(m.group(1))).isLessThan(1024);
    assertThat(log).contains("pretrain mvclip [");
    assertThat(Files.readAllLines(out.resolve(Pretrainer.HISTORY_FILE))).hasSize(4);
    System.out.println(log.lines().filter(l -> l.contains("img/s")).toList());
  }
}
