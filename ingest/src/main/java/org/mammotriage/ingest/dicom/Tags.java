package org.mammotriage.ingest.dicom;

import com.pixelmed.dicom.AttributeTag;

/** Tags that PixelMed's TagFromName does not name. */
final class Tags {
  static final AttributeTag ImageLaterality = new AttributeTag(0x0020, 0x0062);
  static final AttributeTag Laterality = new AttributeTag(0x0020, 0x0060);
  static final AttributeTag PresentationIntentType = new AttributeTag(0x0008, 0x0068);

  private Tags() {}
}
