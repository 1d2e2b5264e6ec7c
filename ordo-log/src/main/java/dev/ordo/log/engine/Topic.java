package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.TopicLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A topic of an {@link EmbeddedLog} as it is now. A change of its partition count or settings replaces it, keeping
 * its signal, producers and lock; {@code changing} is held for writing while the count changes and for
 * reading by {@link EmbeddedLog#append}, which places records itself.
 */
record Topic(
        TopicSpec spec,
        List<PartitionLog> partitions,
        AppendSignal appended,
        TopicLayout layout,
        Partitioner partitioner,
        Set<TopicWriter> writers,
        ReadWriteLock changing) {

    static Topic opened(TopicSpec spec, List<PartitionLog> partitions, TopicLayout layout) {
        return new Topic(
                spec,
                partitions,
                new AppendSignal(),
                layout,
                spec.placement().partitioner(),
                new CopyOnWriteArraySet<>(),
                new ReentrantReadWriteLock());
    }

    Topic changed(TopicSpec spec, List<PartitionLog> partitions, TopicLayout layout) {
        return new Topic(spec, partitions, appended, layout, partitioner, writers, changing);
    }

    /**
     * The topic, named {@code name}, as it is now, with its partitions' measured rates (records and bytes
     * per second) and hot key.
     */
    TopicDescription describe(String name, double[] rates, double[] bytes, Optional<String> hotKey) {
        List<TopicDescription.PartitionState> states = new ArrayList<>();
        for (int p = 0; p < partitions.size(); p++) {
            PartitionLog log = partitions.get(p);
            double rate = p < rates.length ? rates[p] : 0;
            double byteRate = p < bytes.length ? bytes[p] : 0;
            states.add(new TopicDescription.PartitionState(
                    p, log.startOffset(), log.nextOffset(), rate, byteRate, log.sizeInBytes()));
        }
        return new TopicDescription(
                name, spec.fsyncText(), states, spec.placement(), layout, hotKey.orElse(null), spec.log());
    }
}
