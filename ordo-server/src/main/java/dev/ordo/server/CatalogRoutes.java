package dev.ordo.server;

import com.sun.net.httpserver.HttpExchange;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The embedded engine's topics and groups, read from its data directory:
 *
 * <pre>
 * GET /api/topics   per topic: partitions (start and end offsets, load), layouts, seal
 * GET /api/groups   per topic and group: committed offset and lag per partition
 * </pre>
 */
final class CatalogRoutes {

    record PartitionView(int partition, long startOffset, long endOffset, double recordsPerSecond) {}

    record TopicView(String name, String fsync, List<PartitionView> partitions, List<Integer> layouts, String sealed) {}

    record GroupPartitionView(int partition, long committed, long endOffset, long lag) {}

    record GroupView(String topic, String group, List<GroupPartitionView> partitions, long lag) {}

    private final EmbeddedLog log;
    private final Exchanges exchanges;

    CatalogRoutes(EmbeddedLog log, Exchanges exchanges) {
        this.log = log;
        this.exchanges = exchanges;
    }

    void topics(HttpExchange exchange) throws IOException {
        List<TopicView> topics = new ArrayList<>();
        for (String name : sorted(log.listTopics())) {
            TopicDescription d = log.describe(name);
            List<PartitionView> partitions = d.partitions().stream()
                    .map(p -> new PartitionView(p.partition(), p.startOffset(), p.nextOffset(), p.recordsPerSecond()))
                    .toList();
            List<Integer> layouts =
                    d.layout().layouts().stream().map(l -> l.partitions()).toList();
            topics.add(new TopicView(
                    name, d.fsync(), partitions, layouts, log.sealed(name).orElse(null)));
        }
        exchanges.sendJson(exchange, 200, topics);
    }

    void groups(HttpExchange exchange) throws IOException {
        List<GroupView> groups = new ArrayList<>();
        for (String topic : sorted(log.listTopics())) {
            Map<String, Map<Integer, Long>> byGroup = new TreeMap<>(log.committedOffsets(topic));
            byGroup.forEach((group, offsets) -> {
                List<GroupPartitionView> partitions = new ArrayList<>();
                long total = 0;
                for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
                    long end = log.endOffset(topic, e.getKey());
                    long lag = Math.max(0, end - e.getValue());
                    total += lag;
                    partitions.add(new GroupPartitionView(e.getKey(), e.getValue(), end, lag));
                }
                groups.add(new GroupView(topic, group, partitions, total));
            });
        }
        exchanges.sendJson(exchange, 200, groups);
    }

    private static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        copy.sort(null);
        return copy;
    }
}
