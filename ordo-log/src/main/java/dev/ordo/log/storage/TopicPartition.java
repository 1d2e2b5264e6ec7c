package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One partition of a topic, as a data directory names its directory: {@code <topic>-<partition>}
 * (Kafka's {@code TopicPartition}). Lets storage errors name the topic and partition they are about.
 *
 * @param topic the topic's name
 * @param partition the partition's number, from 0
 */
public record TopicPartition(String topic, int partition) {

    private static final Pattern DIRECTORY = Pattern.compile("(.+)-(\\d{1,9})");

    public TopicPartition {
        Objects.requireNonNull(topic, "topic must not be null");
        Arguments.atLeast("partition", partition, 0);
    }

    /** The partition whose directory {@code dir} is, if its name has the form {@code <topic>-<partition>}. */
    public static Optional<TopicPartition> ofDirectory(Path dir) {
        Path name = dir.getFileName();
        Matcher m = DIRECTORY.matcher(name == null ? "" : name.toString());
        return m.matches()
                ? Optional.of(new TopicPartition(m.group(1), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    /** {@code <topic>-<partition>}: the name of its directory. */
    public String directoryName() {
        return topic + "-" + partition;
    }

    @Override
    public String toString() {
        return "topic '" + topic + "' partition " + partition;
    }
}
