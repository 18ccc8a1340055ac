package org.mammotriage.ingest.scp;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.util.LinkedList;
import java.util.List;
import org.mammotriage.ingest.dicom.InstanceClassifier;

/**
 * Which presentation contexts the SCP accepts: Verification, and every storage SOP class (a
 * non-mammogram is refused per instance, with a reason and a DLQ record) in the first transfer
 * syntax of {@link InstanceClassifier#TRANSFER_SYNTAXES} (those ingest decodes) that the sender
 * offers. A transfer syntax ingest cannot decode (JPEG-LS, JPEG extended, video) is not negotiated,
 * so the sender converts to one it can.
 */
final class StorePolicy implements PresentationContextSelectionPolicy {
  /** In order of preference: lossless before lossy, compact before large. */
  static final List<String> TRANSFER_SYNTAXES = InstanceClassifier.TRANSFER_SYNTAXES;

  private static final byte ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
  private static final byte TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

  @Override
  public LinkedList applyPresentationContextSelectionPolicy(
      LinkedList presentationContexts, int associationNumber, int debugLevel) {
    return applyPresentationContextSelectionPolicy(presentationContexts, associationNumber);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public LinkedList applyPresentationContextSelectionPolicy(
      LinkedList presentationContexts, int associationNumber) {
    for (Object o : presentationContexts) {
      PresentationContext pc = (PresentationContext) o;
      String as = pc.getAbstractSyntaxUID();
      List<?> offered = pc.getTransferSyntaxUIDs();
      String chosen = null;
      for (String ts : TRANSFER_SYNTAXES) {
        if (offered.contains(ts)) {
          chosen = ts;
          break;
        }
      }
      pc.newTransferSyntaxUIDs();
      if (as == null || !(SOPClass.isVerification(as) || SOPClass.isStorage(as))) {
        pc.setResultReason(ABSTRACT_SYNTAX_NOT_SUPPORTED);
      } else if (chosen == null) {
        pc.setResultReason(TRANSFER_SYNTAXES_NOT_SUPPORTED);
      } else {
        pc.addTransferSyntaxUID(chosen);
        pc.setResultReason((byte) 0);
      }
    }
    return presentationContexts;
  }
}
