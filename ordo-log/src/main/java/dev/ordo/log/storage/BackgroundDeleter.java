package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, on a thread of its own ({@code ordo-log-delete}), what the logs of one engine took out of
 * sight: segments retention removed, partitions of deleted topics. Unlinking frees a file's blocks,
 * which takes long for large files (340 ms for 1 GiB, 53 ms for 128 MiB on the benchmark VM, whose
 * file system also trims the freed blocks in its next journal commits) and must not hold up an append
 * or an admin call; Kafka, too, renames what it deletes and deletes it later. Its queue holds one
 * task per removed segment or partition not yet deleted: bounded by what is on disk. Owned by the
 * {@code EmbeddedLog} (or the {@link PartitionLog} opened on its own) that starts it; {@link #close()}
 * waits for what was handed over.
 *
 * <pre>{@code
 * try (BackgroundDeleter deleter = BackgroundDeleter.start()) {
 *     deleter.deleteLater(List.of(renamedDirectory));
 * }
 * }</pre>
 */
public final class BackgroundDeleter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundDeleter.class);

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ordo-log-delete");
        t.setDaemon(true);
        return t;
    });

    private BackgroundDeleter() {}

    /** A deleter; its thread starts with the first deletion. */
    public static BackgroundDeleter start() {
        return new BackgroundDeleter();
    }

    /**
     * Deletes the files and directories (recursively) in the background; the future completes when they
     * are gone. What is handed over must already be out of the log's sight (renamed): a failure is
     * logged, not thrown, and whoever opens the log next deletes what is left.
     */
    public CompletableFuture<Void> deleteLater(List<Path> paths) {
        List<Path> copy = List.copyOf(paths);
        return CompletableFuture.runAsync(
                () -> {
                    for (Path path : copy) {
                        try {
                            Directories.deleteRecursively(path);
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("could not delete {}; the next open of the log deletes it", path, e);
                        }
                    }
                },
                thread);
    }

    /** Runs {@code task} on the deleting thread, after what was handed over before (tests hold the thread). */
    void execute(Runnable task) {
        thread.execute(task);
    }

    /** Deletes what was handed over, then stops the thread; waits up to a minute and says so if that is not enough. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("background deletions still running after a minute; the next open of the log finishes them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
