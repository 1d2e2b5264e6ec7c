package dev.ordo.log.engine;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.log.storage.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One seal of a topic ({@link EmbeddedLog#seal}): pauses its producers as a change of the partition
 * count does, so that every record they placed is appended before the seal and none after, forces every
 * partition (the ends the seal fixes survive a crash), records the seal, and resumes the producers, whose
 * later appends then fail. Runs under the engine's monitor.
 */
final class TopicSeal {

    /** What records the seal durably. */
    interface Step {
        void run() throws IOException;
    }

    private static final long PAUSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Topic topic;
    private final String name;

    TopicSeal(Topic topic, String name) {
        this.topic = topic;
        this.name = name;
    }

    /** Seals the topic unless {@code seals} holds it sealed already; returns each partition's final end. */
    long[] sealOnce(TopicSeals seals, String reason) throws IOException {
        if (seals.reason(name).isEmpty()) {
            run(() -> seals.seal(name, reason));
        }
        long[] ends = new long[topic.partitions().size()];
        for (int p = 0; p < ends.length; p++) {
            ends[p] = topic.partitions().get(p).nextOffset();
        }
        return ends;
    }

    private void run(Step record) throws IOException {
        long deadline = System.nanoTime() + PAUSE_TIMEOUT_NANOS;
        List<TopicWriter> paused = new ArrayList<>();
        topic.changing().writeLock().lock(); // no direct append is placed meanwhile
        try {
            for (TopicWriter writer : topic.writers()) {
                paused.add(writer);
                if (!writer.pause(deadline)) {
                    throw new IllegalStateException("a producer of topic '" + name + "' did not append what it"
                            + " placed within 30 s; the topic is not sealed");
                }
            }
            for (PartitionLog log : topic.partitions()) {
                log.awaitDurable(log.nextOffset());
            }
            record.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while sealing topic '" + name + "'", e);
        } finally {
            for (TopicWriter writer : paused) {
                writer.resume(topic.layout());
            }
            topic.changing().writeLock().unlock();
        }
    }
}
