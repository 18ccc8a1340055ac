package org.mammotriage.ingest.scp;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * DIMSE response command sets (implicit VR little endian, with group length), including an Error
 * Comment.
 */
final class Responses {
  private static final AttributeTag ERROR_COMMENT = new AttributeTag(0x0000, 0x0902);

  private Responses() {}

  static byte[] store(
      String sopClass, String sopInstance, int messageId, int status, String comment)
      throws DicomException, IOException {
    AttributeList l = new AttributeList();
    put(l, TagFromName.AffectedSOPClassUID, sopClass);
    putInt(l, TagFromName.CommandField, 0x8001);
    putInt(l, TagFromName.MessageIDBeingRespondedTo, messageId);
    putInt(l, TagFromName.CommandDataSetType, 0x0101);
    putInt(l, TagFromName.Status, status);
    put(l, TagFromName.AffectedSOPInstanceUID, sopInstance);
    if (comment != null) {
      put(l, ERROR_COMMENT, comment.length() > 64 ? comment.substring(0, 64) : comment);
    }
    return withGroupLength(l);
  }

  static byte[] echo(String sopClass, int messageId) throws DicomException, IOException {
    AttributeList l = new AttributeList();
    put(l, TagFromName.AffectedSOPClassUID, sopClass);
    putInt(l, TagFromName.CommandField, 0x8030);
    putInt(l, TagFromName.MessageIDBeingRespondedTo, messageId);
    putInt(l, TagFromName.CommandDataSetType, 0x0101);
    putInt(l, TagFromName.Status, 0);
    return withGroupLength(l);
  }

  private static byte[] withGroupLength(AttributeList l) throws DicomException, IOException {
    byte[] body = write(l);
    AttributeList all = new AttributeList();
    Attribute gl = AttributeFactory.newAttribute(new AttributeTag(0x0000, 0x0000));
    gl.addValue(body.length);
    all.put(gl);
    all.putAll(l);
    return write(all);
  }

  private static byte[] write(AttributeList l) throws DicomException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DicomOutputStream dos = new DicomOutputStream(out, null, TransferSyntax.ImplicitVRLittleEndian);
    l.write(dos);
    dos.flush();
    return out.toByteArray();
  }

  private static void put(AttributeList l, AttributeTag t, String v) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(t);
    a.addValue(v);
    l.put(a);
  }

  private static void putInt(AttributeList l, AttributeTag t, int v) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(t);
    a.addValue(v);
    l.put(a);
  }
}
