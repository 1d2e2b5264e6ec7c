package dev.ordo.server;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The embedded engine's topics (partitions, layouts, seals) and its groups' committed offsets and lag. */
final class EmbeddedCatalog implements Catalog {

    private final EmbeddedLog log;

    EmbeddedCatalog(EmbeddedLog log) {
        this.log = log;
    }

    @Override
    public List<TopicView> topics() {
        List<TopicView> topics = new ArrayList<>();
        for (String name : sorted(log.listTopics())) {
            TopicDescription d = log.describe(name);
            List<PartitionView> partitions = d.partitions().stream()
                    .map(p -> new PartitionView(p.partition(), p.startOffset(), p.nextOffset(), p.sizeBytes()))
                    .toList();
            List<Integer> layouts =
                    d.layout().layouts().stream().map(l -> l.partitions()).toList();
            topics.add(new TopicView(
                    name, d.fsync(), partitions, layouts, log.sealed(name).orElse(null)));
        }
        return topics;
    }

    @Override
    public List<GroupView> groups() throws IOException {
        List<GroupView> groups = new ArrayList<>();
        for (String topic : sorted(log.listTopics())) {
            Map<String, Map<Integer, Long>> committed = new TreeMap<>(log.committedOffsets(topic));
            Map<String, Map<Long, Set<Integer>>> members = log.groupMembers(topic);
            members.keySet().forEach(group -> committed.putIfAbsent(group, Map.of()));
            committed.forEach((group, offsets) ->
                    groups.add(group(topic, group, offsets, members.getOrDefault(group, Map.of()))));
        }
        return groups;
    }

    private GroupView group(String topic, String group, Map<Integer, Long> offsets, Map<Long, Set<Integer>> members) {
        List<GroupPartitionView> partitions = new ArrayList<>();
        long total = 0;
        for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
            long end = log.endOffset(topic, e.getKey());
            long lag = Math.max(0, end - e.getValue());
            total += lag;
            partitions.add(new GroupPartitionView(e.getKey(), e.getValue(), end, lag));
        }
        List<MemberView> memberViews = new ArrayList<>();
        members.forEach((id, owned) -> memberViews.add(new MemberView("member-" + id, List.copyOf(owned))));
        return new GroupView(topic, group, partitions, total, memberViews);
    }

    static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        copy.sort(null);
        return copy;
    }
}
