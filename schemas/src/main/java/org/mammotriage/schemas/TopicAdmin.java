package org.mammotriage.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the project's topics from the registry; topics that exist are left as they are. */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Creates every missing topic of {@link Topics#ALL} and the (empty unless enabled) JSON mirrors
   * of {@link Topics#JSON_MIRRORS}; returns the names it created.
   */
  public static List<String> ensureTopics(
      Admin admin, short replication, Integer partitionsOverride)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> created = ensureTopics(admin, Topics.ALL, replication, partitionsOverride);
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<NewTopic> mirrors = new ArrayList<>();
    for (JsonMirrorTopic m : Topics.JSON_MIRRORS) {
      if (!existing.contains(m.name())) {
        int partitions = partitionsOverride != null ? partitionsOverride : m.defaultPartitions();
        mirrors.add(new NewTopic(m.name(), partitions, replication).configs(m.configs()));
      }
    }
    created.addAll(create(admin, mirrors));
    return created;
  }

  public static List<String> ensureTopics(
      Admin admin, Collection<TopicSpec<?>> specs, short replication, Integer partitionsOverride)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<NewTopic> toCreate = new ArrayList<>();
    for (TopicSpec<?> t : specs) {
      if (!existing.contains(t.name())) {
        int partitions = partitionsOverride != null ? partitionsOverride : t.defaultPartitions();
        toCreate.add(
            new NewTopic(t.name(), partitions, replication).configs(Map.copyOf(t.configs())));
      }
    }
    return create(admin, toCreate);
  }

  private static List<String> create(Admin admin, List<NewTopic> toCreate)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> created = new ArrayList<>();
    for (var e : admin.createTopics(toCreate).values().entrySet()) {
      try {
        e.getValue().get(30, TimeUnit.SECONDS);
        created.add(e.getKey());
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw ex;
        }
      }
    }
    return created;
  }
}
