package dev.ordo.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka cluster's topics (partitions with their earliest and latest offsets; internal topics left out) and
 * its consumer groups' committed offsets and lag, read with Kafka's {@link Admin} client at each request.
 */
final class KafkaCatalog implements Catalog {

    private static final long TIMEOUT_SECONDS = 10;

    private final Admin admin;

    KafkaCatalog(String bootstrapServers) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "ordo-server");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        this.admin = Admin.create(config);
    }

    @Override
    public List<TopicView> topics() throws Exception {
        List<String> names = EmbeddedCatalog.sorted(
                new ArrayList<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)));
        Map<String, TopicDescription> described =
                admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        described
                .values()
                .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
        List<TopicView> topics = new ArrayList<>();
        for (String name : names) {
            List<PartitionView> views = described.get(name).partitions().stream()
                    .map(p -> {
                        TopicPartition tp = new TopicPartition(name, p.partition());
                        return new PartitionView(p.partition(), earliest.get(tp), latest.get(tp), -1);
                    })
                    .toList();
            topics.add(new TopicView(name, "kafka", views, List.of(views.size()), null));
        }
        return topics;
    }

    @Override
    public List<GroupView> groups() throws Exception {
        Collection<GroupListing> listed = admin.listGroups().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<GroupView> groups = new ArrayList<>();
        for (GroupListing group : listed) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            committed.values().removeIf(java.util.Objects::isNull);
            if (committed.isEmpty()) {
                continue;
            }
            Map<TopicPartition, Long> ends = offsets(committed.keySet(), OffsetSpec.latest());
            Collection<MemberDescription> members = admin.describeConsumerGroups(List.of(group.groupId()))
                    .all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .get(group.groupId())
                    .members();
            Map<String, Map<Integer, Long>> byTopic = new TreeMap<>();
            committed.forEach((tp, offset) ->
                    byTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), offset.offset()));
            byTopic.forEach((topic, offsets) -> {
                List<GroupPartitionView> partitions = new ArrayList<>();
                long total = 0;
                for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
                    long end = ends.getOrDefault(new TopicPartition(topic, e.getKey()), e.getValue());
                    long lag = Math.max(0, end - e.getValue());
                    total += lag;
                    partitions.add(new GroupPartitionView(e.getKey(), e.getValue(), end, lag));
                }
                List<MemberView> memberViews = members.stream()
                        .map(m -> new MemberView(
                                m.consumerId() + " (" + m.host() + ")",
                                m.assignment().topicPartitions().stream()
                                        .filter(tp -> tp.topic().equals(topic))
                                        .map(TopicPartition::partition)
                                        .sorted()
                                        .toList()))
                        .toList();
                groups.add(new GroupView(topic, group.groupId(), partitions, total, memberViews));
            });
        }
        groups.sort(java.util.Comparator.comparing(GroupView::topic).thenComparing(GroupView::group));
        return groups;
    }

    private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    @Override
    public void close() {
        admin.close();
    }
}
