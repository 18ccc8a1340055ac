package org.mammotriage.synth;

import com.pixelmed.dicom.AttributeTag;

/** Tags that PixelMed's TagFromName does not name. */
final class Tags {
  static final AttributeTag KVP = new AttributeTag(0x0018, 0x0060);
  static final AttributeTag ExposureTime = new AttributeTag(0x0018, 0x1150);
  static final AttributeTag XRayTubeCurrent = new AttributeTag(0x0018, 0x1151);
  static final AttributeTag Exposure = new AttributeTag(0x0018, 0x1152);
  static final AttributeTag AnodeTargetMaterial = new AttributeTag(0x0018, 0x1191);
  static final AttributeTag CompressionForce = new AttributeTag(0x0018, 0x11A2);
  static final AttributeTag PositionerType = new AttributeTag(0x0018, 0x1508);
  static final AttributeTag PositionerPrimaryAngle = new AttributeTag(0x0018, 0x1510);
  static final AttributeTag DetectorType = new AttributeTag(0x0018, 0x7004);
  static final AttributeTag FilterMaterial = new AttributeTag(0x0018, 0x7050);
  static final AttributeTag PixelIntensityRelationship = new AttributeTag(0x0028, 0x1040);
  static final AttributeTag PixelIntensityRelationshipSign = new AttributeTag(0x0028, 0x1041);
  static final AttributeTag BreastImplantPresent = new AttributeTag(0x0028, 0x1300);
  static final AttributeTag PartialView = new AttributeTag(0x0028, 0x1350);
  static final AttributeTag OrganExposed = new AttributeTag(0x0040, 0x0318);

  private Tags() {}
}
