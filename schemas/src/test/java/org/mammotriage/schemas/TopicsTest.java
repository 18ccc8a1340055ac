package org.mammotriage.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void shouldDeclareEachTopicOnceWithVersionedName() {
    var names = new HashSet<String>();
    for (TopicSpec<?> t : Topics.ALL) {
      assertThat(names.add(t.name())).as("duplicate topic %s", t.name()).isTrue();
      assertThat(t.name()).matches("mammo\\.[a-z_.]+\\.v\\d+");
      assertThat(t.doc()).isNotBlank();
    }
    assertThat(names).hasSize(9);
  }

  @Test
  void shouldRaiseMaxMessageBytesForImagesAboveEightMebibytes() {
    int max = Integer.parseInt(Topics.IMAGES.configs().get("max.message.bytes"));
    assertThat(max).isGreaterThan(8 * 1024 * 1024);
  }
}
