package dev.ordo.sequence;

import java.util.Objects;

/**
 * A message with its source and the source's sequence number: the input of a
 * {@link ResequencingProcessor}.
 */
public record Sequenced<T>(String source, long sequence, T message) {

    public Sequenced {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(message, "message must not be null");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
    }
}
