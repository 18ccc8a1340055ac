package org.mammotriage.training.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mammotriage.training.loss.GlamLoss;
import org.mammotriage.training.loss.MamaLoss;
import org.mammotriage.training.loss.MvClipLoss;
import org.mammotriage.training.model.PretrainMethod;

class AblationTest {
  @Test
  void shouldParseMethodsAndTheirAblations() {
    assertThat(Ablation.parse("glam-nolocal"))
        .isEqualTo(
            new Ablation.Variant("glam-nolocal", PretrainMethod.GLAM, Ablation.NO_LOCAL_TERM));
    assertThat(Ablation.parse("MV-CLIP-noview"))
        .isEqualTo(
            new Ablation.Variant("mvclip-noview", PretrainMethod.MVCLIP, Ablation.NO_VIEW_TERM));
    assertThat(Ablation.parse("mama"))
        .isEqualTo(new Ablation.Variant("mama", PretrainMethod.MAMA, Ablation.NONE));
  }

  @Test
  void shouldRefuseAnAblationOfATermTheMethodDoesNotHave() {
    assertThatThrownBy(() -> Ablation.parse("clip-nolocal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("applies to glam only");
    assertThatThrownBy(() -> Ablation.parse("glam-nothing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown method");
  }

  @Test
  void shouldTrainTheAblatedObjective() {
    assertThat(Pretrainer.lossOf(PretrainMethod.GLAM, Ablation.NO_LOCAL_TERM))
        .isInstanceOf(GlamLoss.class);
    assertThat(Pretrainer.lossOf(PretrainMethod.MVCLIP, Ablation.NO_VIEW_TERM))
        .isInstanceOf(MvClipLoss.class);
    assertThat(Pretrainer.lossOf(PretrainMethod.MAMA, Ablation.NONE)).isInstanceOf(MamaLoss.class);
  }
}
