package org.mammotriage.training.heads;

import org.mammotriage.training.pretrain.PretrainedModel;

/** The {@link ExamModelStore} that knows every encoder family of this build. */
public final class ExamModelStores {
  private ExamModelStores() {}

  public static ExamModelStore standard() {
    return new ExamModelStore()
        .register(PretrainedModel.ENCODER_TYPE, PretrainedModel::imageTowerFrom);
  }
}
