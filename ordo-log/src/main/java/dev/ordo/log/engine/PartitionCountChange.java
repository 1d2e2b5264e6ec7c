package dev.ordo.log.engine;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One change of a topic's partition count ({@link EmbeddedLog#alterPartitions}): pauses the topic's
 * producers and its own appends, waits until what the producers placed by the old count is appended,
 * forces every partition (the new layout's start offsets must survive a crash), opens the partitions
 * the new count adds and records the new layout in the topic's description in one atomic write, then
 * resumes the producers with the layout that stands. Runs under the engine's monitor.
 */
final class PartitionCountChange {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionCountChange.class);

    /** How long a change of a topic's partition count waits for its producers to append what they placed. */
    private static final long ALTER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final EmbeddedLog log;
    private final PartitionDirectories directories;
    private final String name;
    private final Topic topic;
    private final Consumer<Step> steps;

    /**
     * The points a change passes, in order; a kill at any of them leaves the old layout (before
     * {@code RECORDED}) or the new one (from it on).
     */
    enum Step {
        /** Every producer of the topic is paused, what they placed by the old count appended. */
        PAUSED,
        /** Every partition is forced up to its end: the new layout's start offsets. */
        FORCED,
        /** The partitions the new count adds exist (empty); the layout is not recorded yet. */
        OPENED,
        /** The new layout is in the topic's file; the producers are still paused. */
        RECORDED
    }

    /**
     * A change of {@code topic} (named {@code name}) of {@code log}, whose partitions are in {@code
     * directories}; {@code steps} is told each {@link Step} as it is reached.
     */
    PartitionCountChange(
            EmbeddedLog log, PartitionDirectories directories, String name, Topic topic, Consumer<Step> steps) {
        this.log = log;
        this.directories = directories;
        this.name = name;
        this.topic = topic;
        this.steps = steps;
    }

    /** Changes the count to {@code partitions}; see {@link EmbeddedLog#alterPartitions} for what it throws. */
    TopicLayout to(int partitions) throws IOException {
        topic.layout().requireChange(partitions);
        if (topic.writers().stream().anyMatch(w -> !w.placesByTopic())) {
            throw new IllegalStateException("a producer of topic '" + name + "' places keys by a partitioner of its"
                    + " own; close it before changing the partition count (keys' order could not be kept)");
        }
        long deadline = System.nanoTime() + ALTER_TIMEOUT_NANOS;
        List<TopicWriter> paused = new ArrayList<>();
        TopicLayout layout = topic.layout();
        topic.changing().writeLock().lock();
        try {
            for (TopicWriter writer : topic.writers()) {
                paused.add(writer);
                if (!writer.pause(deadline)) {
                    throw new IllegalStateException("a producer of topic '" + name + "' did not append what it"
                            + " placed within 30 s; the partition count stays " + layout.partitions());
                }
            }
            steps.accept(Step.PAUSED);
            TopicLayout next = layout.alter(partitions, forcedEnds());
            steps.accept(Step.FORCED);
            Topic changed = record(next);
            layout = next; // it stands: the producers resume with it whatever happens next
            log.topicChanged(name, changed, topic.partitions().size());
            LOG.info("topic '{}' now places keys on {} partitions: {}", name, partitions, layout);
            return layout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while changing the partitions of topic '" + name + "'", e);
        } finally {
            for (TopicWriter writer : paused) {
                writer.resume(layout);
            }
            topic.changing().writeLock().unlock();
        }
    }

    /** Every partition's end, forced: the new layout's start offsets must survive a crash. */
    private long[] forcedEnds() throws IOException {
        long[] ends = new long[topic.partitions().size()];
        for (int p = 0; p < ends.length; p++) {
            ends[p] = topic.partitions().get(p).nextOffset();
        }
        for (Throwable error : log.appends().awaitDurable(name, ends)) {
            if (error != null) {
                throw new IOException("could not force topic '" + name + "' before changing its partitions", error);
            }
        }
        return ends;
    }

    /**
     * Opens the partitions the new layout adds, then records the layout (from here it stands, also after
     * a crash; partition directories of a change cut short before are empty and deleted on open); returns
     * the topic as it is with it.
     */
    private Topic record(TopicLayout layout) throws IOException {
        int before = topic.partitions().size();
        TopicSpec spec = topic.spec().withPartitions(layout.partitions());
        List<PartitionLog> added = List.of();
        try {
            added = directories.open(name, spec, before, layout.existing());
            steps.accept(Step.OPENED);
            TopicFile.write(log.root(), name, spec, layout);
            steps.accept(Step.RECORDED);
        } catch (IOException | RuntimeException e) {
            PartitionDirectories.closeAll(added, e);
            directories.deletePartitionsFrom(name, before);
            throw e;
        }
        List<PartitionLog> all = new ArrayList<>(topic.partitions());
        all.addAll(added);
        return topic.changed(spec, List.copyOf(all), layout);
    }
}
