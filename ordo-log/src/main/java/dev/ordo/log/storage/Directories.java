package dev.ordo.log.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Directory housekeeping shared by the engine, its tools and its benchmarks. */
public final class Directories {

    private static final Logger LOG = LoggerFactory.getLogger(Directories.class);

    /**
     * Deletes what the logs of the JVM removed (segments retention dropped, partitions of deleted
     * topics), one daemon thread for all: unlinking frees the file's blocks, which takes long for
     * large files (340 ms for 1 GiB, 53 ms for 128 MiB on the benchmark VM, whose file system also
     * trims the freed blocks in its next journal commits) and must not hold up an append or an
     * admin call. Kafka, too, renames what it deletes and deletes it later. Its queue holds one task
     * per removed segment or partition not yet deleted: bounded by what is on disk.
     */
    static final ExecutorService DELETER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ordo-log-delete");
        t.setDaemon(true);
        return t;
    });

    private Directories() {}

    /**
     * Deletes {@code dir} and everything under it; nothing happens if it does not exist. A file that
     * disappears meanwhile (a partition's background deletion of old segments) is no error.
     */
    public static void deleteRecursively(Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (dir == null || !Files.exists(dir)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (UncheckedIOException e) { // the walk met a file deleted under it
                if (attempt == 3 || !(e.getCause() instanceof NoSuchFileException)) {
                    throw e.getCause();
                }
            }
        }
    }

    /**
     * Deletes the files and directories (recursively) in the background, on the JVM's one deleting
     * thread; the future completes when they are gone. What is handed over must already be out of
     * the log's sight (renamed): a failure is logged, not thrown, and whoever opens the log next
     * deletes what is left.
     */
    public static CompletableFuture<Void> deleteLater(List<Path> paths) {
        List<Path> copy = List.copyOf(paths);
        return CompletableFuture.runAsync(
                () -> {
                    for (Path path : copy) {
                        try {
                            deleteRecursively(path);
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("could not delete {}; the next open of the log deletes it", path, e);
                        }
                    }
                },
                DELETER);
    }
}
