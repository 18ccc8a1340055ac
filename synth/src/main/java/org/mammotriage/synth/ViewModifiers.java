package org.mammotriage.synth;

/**
 * View modifier codes (DICOM CID 4015, SNOMED CT) used by the generator: {code, scheme, meaning}.
 */
public final class ViewModifiers {
  public static final String[] SPOT_COMPRESSION = {"399055006", "SCT", "spot compression"};
  public static final String[] MAGNIFICATION = {"399163004", "SCT", "magnification"};
  public static final String[] IMPLANT_DISPLACED = {"399101009", "SCT", "implant displaced"};

  private ViewModifiers() {}
}
