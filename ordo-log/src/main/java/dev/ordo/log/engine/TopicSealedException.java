package dev.ordo.log.engine;

/**
 * An append to a topic sealed for good ({@link EmbeddedLog#seal}), typically because it moved to Kafka:
 * nothing was written; send to where the reason says.
 */
public final class TopicSealedException extends IllegalStateException {

    private final String topic;

    TopicSealedException(String topic, String reason) {
        super("topic '" + topic + "' is sealed and takes no more records: " + reason);
        this.topic = topic;
    }

    /** The sealed topic. */
    public String topic() {
        return topic;
    }
}
