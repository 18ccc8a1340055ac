package org.mammotriage.synth;

import java.util.List;

/**
 * What benchmark v2 adds to a breast at one exam: the report a simulated reader wrote (which need
 * not match the truth), how each view differs (compression, exposure, how much of each lesion it
 * shows), and the landmarks both views share.
 */
public record BreastV2(
    ReaderReport report, ViewVariation cc, ViewVariation mlo, List<Landmark> landmarks) {

  public ViewVariation view(boolean mlo) {
    return mlo ? this.mlo : cc;
  }

  /**
   * The reader's report: mass and calcification 1 (reported), 0 (reported absent) or -1 (findings
   * section missing); BI-RADS and density null when their section is missing.
   */
  public record ReaderReport(int mass, int calcification, Integer birads, Integer density) {}

  /**
   * One view's differences: the breast outline under this compression ({@code halfHeightScale},
   * {@code depthScale}), the exposure (display value v → offset + gain·v^gamma inside the breast),
   * and per lesion (in {@link Breast#lesions()} order) its contrast in this view (below 1: partly
   * hidden by overlapping tissue), an extra in-plane rotation and an aspect factor (deformed by
   * compression).
   */
  public record ViewVariation(
      double halfHeightScale,
      double depthScale,
      double gamma,
      double gain,
      double offset,
      double[] lesionContrast,
      double[] lesionRotation,
      double[] lesionAspect) {}

  /**
   * A short vessel-like segment placed in 3-D like a lesion (same chest-wall distance in both
   * views), seen at a different angle in each view: local content that matches CC to MLO without
   * being a finding.
   */
  public record Landmark(
      double depthMm,
      double ccOffsetMm,
      double mloOffsetMm,
      double lengthMm,
      double widthMm,
      double contrast,
      double ccAngle,
      double mloAngle) {}
}
