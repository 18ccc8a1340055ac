package com.pixelmed.network;

/**
 * PixelMed's {@link ReceivedDataHandler} has a package-private constructor; this public bridge lets
 * the MammoTriage SCP implement its own handler (it must answer C-STORE with its own status, which
 * PixelMed's SCP cannot do). Lives in PixelMed's package on the class path; nothing else is placed
 * here.
 */
public abstract class OpenReceivedDataHandler extends ReceivedDataHandler {
  protected OpenReceivedDataHandler() {
    super();
  }
}
