package dev.ordo.bench.e2e;

import dev.ordo.log.storage.Directories;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Where {@link LogBenchmark}'s cases write: a fresh directory under one root per case, deleted after it. */
final class RunDirectories {

    private final Path root;

    RunDirectories(Path root) {
        this.root = root;
    }

    Path fresh(String name) throws IOException {
        Path dir = root.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * Deletes a run's files, then waits for the file system to settle ({@code sync -f}) so that the next
     * run does not pay for this one: the benchmark disk is mounted with {@code discard}, so ext4 trims the
     * freed blocks (up to 13 GB after a peak run) in the journal commits that follow, and the next run's
     * first seconds (its forces above all) waited for them. Without {@code sync} (not Linux) it goes on at once.
     */
    void discard(Path dir) throws IOException {
        Directories.deleteRecursively(dir);
        try {
            Process sync = new ProcessBuilder("sync", "-f", root.toString())
                    .redirectErrorStream(true)
                    .start();
            sync.getInputStream().transferTo(OutputStream.nullOutputStream());
            sync.waitFor(5, TimeUnit.MINUTES);
        } catch (IOException e) {
            // no sync command: nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
