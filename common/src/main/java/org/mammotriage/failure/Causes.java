package org.mammotriage.failure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Walks a failure's cause chain for the failure classifiers of each edge (ingest's publish
 * classifier, the streams processing handler): they decide by the innermost exception of a known
 * kind, or by a failure of one type anywhere in the chain.
 */
public final class Causes {
  private Causes() {}

  /** The cause chain, innermost first; a cycle ends it. */
  public static List<Throwable> rootFirst(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    Collections.reverse(chain);
    return chain;
  }

  /** The innermost failure of {@code type} in the chain, if any. */
  public static <T extends Throwable> Optional<T> innermost(Throwable failure, Class<T> type) {
    for (Throwable t : rootFirst(failure)) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
    }
    return Optional.empty();
  }
}
