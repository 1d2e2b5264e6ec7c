package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A data directory owned by exactly one process: opening takes an OS lock on {@code .lock};
 * a second open, from this process or another, fails with a clear error instead of two writers
 * corrupting the same files.
 */
public final class DataDirectory implements AutoCloseable {

    /** The longest topic name, as Kafka's: its files' names stay within the 255 bytes file systems allow. */
    public static final int MAX_TOPIC_LENGTH = 249;

    /** The names of what a partition directory holds (see {@link #isPartitionDirectory}). */
    private static final Pattern PARTITION_FILE =
            Pattern.compile("\\d{20}\\.(log|index)(\\.deleted)?|" + RecoveryPointFile.NAME + "(\\.tmp)?");

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1," + MAX_TOPIC_LENGTH + "}");

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens {@code root} (created if missing) and locks it.
     *
     * @throws IllegalArgumentException if {@code root} exists and is not a directory
     * @throws IllegalStateException if another process or another open in this one holds it
     */
    public static DataDirectory open(Path root) throws IOException {
        Objects.requireNonNull(root, "root must not be null");
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IllegalArgumentException("root must be a directory, was " + root + " (not a directory)");
        }
        Files.createDirectories(root);
        Path lockFile = root.resolve(".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("data directory " + root + " is in use by another Ordo instance (lock file "
                    + lockFile + "); one process owns a data directory");
        }
        return new DataDirectory(root, channel, lock);
    }

    /**
     * True if {@code dir} is a directory holding nothing but what a partition log writes (segments,
     * their indexes, segments retention removed and not yet deleted, the recovery point), possibly
     * nothing at all: what may be deleted as a partition.
     */
    public static boolean isPartitionDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.allMatch(
                    f -> PARTITION_FILE.matcher(f.getFileName().toString()).matches());
        }
    }

    /** The directory of {@code topic}'s partition {@code partition}: {@code <root>/<topic>-<partition>}. */
    public Path partitionDirectory(String topic, int partition) {
        requireValidTopic(topic);
        Arguments.atLeast("partition", partition, 0);
        return root.resolve(new TopicPartition(topic, partition).directoryName());
    }

    /** Checks a topic name, as Kafka does: 1-249 characters of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}. */
    public static String requireValidTopic(String topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("topic must be 1-" + MAX_TOPIC_LENGTH
                    + " characters of [a-zA-Z0-9._-], not '.' or '..', was " + shown(topic));
        }
        return topic;
    }

    /** A name as an error message quotes it: whole when short, its start and length when long. */
    private static String shown(String name) {
        return name.length() <= 60
                ? "'" + name + "'"
                : "'" + name.substring(0, 60) + "...' (" + name.length() + " characters)";
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() throws IOException {
        try (lockChannel) {
            lock.release();
        }
    }
}
