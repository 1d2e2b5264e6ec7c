package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.util.Objects;

/**
 * A message with its source and the source's sequence number: the input of a
 * {@link ResequencingProcessor}.
 */
public record Sequenced<T>(String source, long sequence, T message) {

    public Sequenced {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(message, "message must not be null");
        Arguments.atLeast("sequence", sequence, 0);
    }
}
