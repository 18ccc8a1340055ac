package org.mammotriage.synth;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A contact sheet per exam laid out as on a reading screen: R-CC L-CC over R-MLO L-MLO, breasts
 * facing each other.
 */
final class Preview {
  private static final int H = 400;

  private Preview() {}

  static void write(Path file, Map<String, float[]> views, int cols, int rows, Patient p, Exam e)
      throws IOException {
    int w = (int) Math.round((double) cols * H / rows);
    BufferedImage sheet = new BufferedImage(2 * w, 2 * H + 24, BufferedImage.TYPE_BYTE_GRAY);
    String[][] layout = {{"R_CC", "L_CC"}, {"R_MLO", "L_MLO"}};
    for (int rr = 0; rr < 2; rr++) {
      for (int cc = 0; cc < 2; cc++) {
        float[] img = views.get(layout[rr][cc]);
        if (img == null) {
          continue;
        }
        boolean left = cc == 1; // back to back: chest walls meet in the middle
        for (int y = 0; y < H; y++) {
          int sy = (int) ((long) y * rows / H);
          for (int x = 0; x < w; x++) {
            int sx = (int) ((long) x * cols / w);
            float v = img[sy * cols + (left ? sx : cols - 1 - sx)];
            int g = Math.round(Math.min(1f, Math.max(0f, v)) * 255);
            sheet.getRaster().setSample(cc * w + x, 24 + rr * H + y, 0, g);
          }
        }
      }
    }
    Graphics2D g = sheet.createGraphics();
    g.setColor(Color.WHITE);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(
        String.format(
            "%s  age %d  density %c  L:%s R:%s  SYNTHETIC",
            e.accession(),
            e.ageYears(),
            (char) ('A' + p.density() - 1),
            label(e.left()),
            label(e.right())),
        6,
        17);
    g.dispose();
    Files.createDirectories(file.getParent());
    ImageIO.write(sheet, "png", file.toFile());
  }

  private static String label(Breast b) {
    return b.malignant() ? "malignant" : b.lesions().isEmpty() ? "normal" : "benign";
  }
}
