package org.mammotriage.training.heads;

/** The {@link ExamModelStore} that knows every encoder family of this build. */
public final class ExamModelStores {
  private ExamModelStores() {}

  public static ExamModelStore standard() {
    return new ExamModelStore();
  }
}
