package dev.ordo.check;

import java.util.Objects;

/**
 * One message as the {@link OrderingChecker} sees it: what identifies it and what its order is.
 *
 * @param key the ordering key (an account, an entity); order is checked per key
 * @param source the sender (producer id) or partition the sequence belongs to
 * @param sequence the sender's sequence number or the partition offset; negative if none
 * @param id a unique id of the message, the same on send and on every receipt
 */
public record Message(String key, String source, long sequence, String id) {

    public Message {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(id, "id must not be null");
    }

    @Override
    public String toString() {
        return id + " (key " + key + ", source " + source + ", seq " + sequence + ")";
    }
}
