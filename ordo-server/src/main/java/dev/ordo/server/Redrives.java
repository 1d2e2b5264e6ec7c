package dev.ordo.server;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.DeadLetterRedrive;
import dev.ordo.engine.Lag;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The dead-letter redrives the operator started through the server, one at a time per consumer: each a
 * {@link DeadLetterRedrive} of the consumer's dead-letter topic back to its topic, waiting for each key to be
 * clear in that consumer. Made with the engine the server's catalog names.
 */
final class Redrives implements AutoCloseable {

    /** How a redrive reaches the engine: a reader of the dead-letter topic, a producer of the original one. */
    interface Engine {
        ConsumerBuilder<?, byte[], byte[]> deadLetters(String topic);

        RecordProducer<byte[], byte[]> producer(String topic);
    }

    record RedriveView(
            String consumer,
            String deadLetterTopic,
            String topic,
            long redriven,
            long otherTopics,
            long failedAgain,
            long left,
            boolean done,
            String failure) {}

    private record Running(String deadLetterTopic, String topic, DeadLetterRedrive redrive) {}

    private final Engine engine;
    private final Map<String, Running> running = new ConcurrentSkipListMap<>();
    private boolean closed;

    /** @param engine null when the server has no catalog: redrives are refused */
    Redrives(Engine engine) {
        this.engine = engine;
    }

    /**
     * Starts redriving {@code deadLetterTopic} into {@code consumer}'s topic.
     *
     * @throws ApiException 409 if one runs for that consumer and is not done, 501 without an engine
     */
    synchronized void start(String name, RecordConsumer consumer, String deadLetterTopic) {
        if (closed) {
            throw new ApiException(503, "the server is closing");
        }
        if (consumer.topic().equals(deadLetterTopic)) {
            throw ApiException.badRequest(
                    "deadLetterTopic must differ from the consumer's topic, was " + deadLetterTopic);
        }
        if (engine == null) {
            throw new ApiException(501, "a redrive needs the server's engine: catalog(log) or kafkaCatalog(servers)");
        }
        Running before = running.get(name);
        if (before != null) {
            if (!before.redrive().done()) {
                throw new ApiException(
                        409, "a redrive of " + before.deadLetterTopic() + " into " + name + " is still running");
            }
            before.redrive().close();
        }
        try {
            DeadLetterRedrive redrive = DeadLetterRedrive.builder(
                            engine.deadLetters(deadLetterTopic), engine.producer(consumer.topic()))
                    .waitForClear(consumer)
                    .start();
            running.put(name, new Running(deadLetterTopic, consumer.topic(), redrive));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    List<RedriveView> list() {
        List<RedriveView> views = new ArrayList<>();
        running.forEach((name, r) -> {
            RecordConsumer reader = r.redrive().reader();
            Lag lag = reader.lag();
            views.add(new RedriveView(
                    name,
                    r.deadLetterTopic(),
                    r.topic(),
                    r.redrive().redriven(),
                    r.redrive().otherTopics(),
                    r.redrive().failedAgain(),
                    Math.max(0, lag.records()),
                    r.redrive().done(),
                    reader.failure().map(Throwable::toString).orElse(null)));
        });
        return views;
    }

    @Override
    public synchronized void close() {
        closed = true;
        running.values().forEach(r -> r.redrive().close());
        running.clear();
    }
}
