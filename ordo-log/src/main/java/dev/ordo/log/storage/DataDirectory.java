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

/**
 * A data directory owned by exactly one process: opening takes an OS lock on {@code .lock};
 * a second open, from this process or another, fails with a clear error instead of two writers
 * corrupting the same files.
 */
public final class DataDirectory implements AutoCloseable {

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

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
     * @throws IllegalStateException if another process or another open in this one holds it
     */
    public static DataDirectory open(Path root) throws IOException {
        Objects.requireNonNull(root, "root must not be null");
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

    /** Opens the log of {@code topic}'s partition {@code partition}. */
    public PartitionLog partition(String topic, int partition, LogConfig config) throws IOException {
        return PartitionLog.open(partitionDirectory(topic, partition), config);
    }

    /** The directory of {@code topic}'s partition {@code partition}: {@code <root>/<topic>-<partition>}. */
    public Path partitionDirectory(String topic, int partition) {
        requireValidTopic(topic);
        Arguments.atLeast("partition", partition, 0);
        return root.resolve(new TopicPartition(topic, partition).directoryName());
    }

    /** Checks a topic name: 1-200 characters of {@code [a-zA-Z0-9._-]}. */
    public static String requireValidTopic(String topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic must be 1-200 characters of [a-zA-Z0-9._-], was '" + topic + "'");
        }
        return topic;
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
