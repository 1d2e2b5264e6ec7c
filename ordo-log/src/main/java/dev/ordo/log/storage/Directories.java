package dev.ordo.log.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory housekeeping shared by the engine, its tools and its benchmarks. */
public final class Directories {

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
}
