package org.mammotriage.training.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

  @Test
  void shouldSplitWordsNumbersAndPunctuationLowerCased() {
    assertThat(Tokenizer.words("BI-RADS Category 4: Suspicious."))
        .containsExactly("bi", "-", "rads", "category", "4", ":", "suspicious", ".");
  }

  @Test
  void shouldOrderTheVocabularyByFrequencyThenAlphabetically() {
    // given: "a" x3, "mass" x2, "b" x1, "c" x1
    Tokenizer t = Tokenizer.build(List.of("a mass a", "a mass b c"), 1);
    // then
    assertThat(t.size()).isEqualTo(8);
    assertThat(List.of(t.token(4), t.token(5), t.token(6), t.token(7)))
        .containsExactly("a", "mass", "b", "c");
    assertThat(Tokenizer.build(List.of("a mass a", "a mass b c"), 2).size()).isEqualTo(6);
  }

  @Test
  void shouldEncodeWithClsSepPaddingUnknownAndTruncation() {
    Tokenizer t = Tokenizer.build(List.of("there is a mass ."), 1);
    int mass = t.id("mass");
    assertThat(t.encode("There is a MASS.", 8))
        .containsExactly(2, t.id("there"), t.id("is"), t.id("a"), mass, t.id("."), 3, 0);
    assertThat(t.encode("a calcification", 5))
        .containsExactly(2, t.id("a"), Tokenizer.UNK_ID, 3, 0);
    assertThat(t.encode("there is a mass there is a mass", 4))
        .containsExactly(2, t.id("there"), t.id("is"), 3);
    assertThat(t.length("a mass")).isEqualTo(4);
  }

  @Test
  void shouldSaveAndReloadTheSameIds(@TempDir Path dir) throws Exception {
    Tokenizer t = Tokenizer.build(List.of("the breast is extremely dense ."), 1);
    t.save(dir);
    Tokenizer back = Tokenizer.load(dir);
    assertThat(back.encode("extremely dense breast", 6))
        .containsExactly(t.encode("extremely dense breast", 6));
    Files.writeString(dir.resolve(Tokenizer.FILE_NAME), "a\nb\n");
    assertThatThrownBy(() -> Tokenizer.load(dir)).hasMessageContaining("[PAD] [UNK] [CLS] [SEP]");
  }
}
