package org.mammotriage.streams;

import java.nio.file.Path;
import org.mammotriage.testing.TestModels;

/**
 * Every topology test again on a contract-1 model (the whole exam scored from the working images
 * kept in the store): old model directories keep working in the stream.
 */
class ExamTriageTopologyContractOneTest extends ExamTriageTopologyTest {
  @Override
  Path writeModel(Path dir) {
    return TestModels.write(dir, TestModels.Kind.KNOWN, 30, 18);
  }
}
