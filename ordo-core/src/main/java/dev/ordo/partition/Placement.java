package dev.ordo.partition;

import java.util.Locale;

/**
 * How a topic places keys on its partitions, by name, so that it can be stored with the topic and
 * every producer and consumer of it agrees.
 */
public enum Placement {
    /** Kafka's {@code murmur2(key) % partitions}: the partition Kafka's clients choose (the default). */
    KAFKA,
    /** Jump consistent hashing: changing the partition count moves the fewest keys. */
    JUMP;

    /** A new partitioner of this placement (each with its own round-robin for null keys). */
    public Partitioner partitioner() {
        return this == KAFKA ? Partitioner.kafkaDefault() : Partitioner.jumpHash();
    }

    /** The name stored and typed on the command line: {@code kafka} or {@code jump}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The placement named {@code text} ({@link #text()}).
     *
     * @throws IllegalArgumentException naming the value if it is neither name
     */
    public static Placement parse(String text) {
        for (Placement p : values()) {
            if (p.text().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("placement must be 'kafka' or 'jump', was '" + text + "'");
    }
}
