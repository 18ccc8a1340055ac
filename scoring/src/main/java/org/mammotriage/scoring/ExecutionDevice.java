package org.mammotriage.scoring;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import org.mammotriage.contract.ModelLoadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ONNX Runtime execution provider: CUDA when asked for and available, CPU otherwise.
 */
public final class ExecutionDevice {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionDevice.class);

  private ExecutionDevice() {}

  /**
   * Adds the provider to the options and returns what will be used ("cuda" or "cpu").
   *
   * @param device auto, cuda or cpu
   * @param required with cuda: fail instead of falling back
   */
  public static String configure(OrtSession.SessionOptions opts, String device, boolean required) {
    String d = device.toLowerCase(Locale.ROOT);
    if (d.equals("cpu")) {
      return "cpu";
    }
    if (!d.equals("auto") && !d.equals("cuda")) {
      throw new ModelLoadException(
          "scoring.device must be auto, cuda or cpu, not '" + device + "'");
    }
    try {
      opts.addCUDA(0);
      LOG.info("scoring on CUDA (ONNX Runtime CUDA execution provider, device 0)");
      return "cuda";
    } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
      if (d.equals("cuda") && required) {
        throw new ModelLoadException(
            "scoring.device=cuda with scoring.device.required=true, but CUDA cannot be used ("
                + e.getMessage()
                + "). Build with -Pgpu (onnxruntime_gpu) on a host with CUDA 12 and cuDNN 9, or set "
                + "scoring.device.required=false to fall back to CPU.",
            e);
      }
      LOG.warn("scoring.device={}: CUDA is not available ({}); scoring on CPU", d, e.getMessage());
      return "cpu";
    }
  }
}
