package dev.ordo.kafka;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.core.RecordDispatcher;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commits of a {@link KafkaOrdoConsumer} with a {@link CommittedState}: the offsets go into the
 * application's state, never to Kafka, each time at a moment no handler runs, as the offsets after the
 * last record handed to the handlers of each partition, which the state then holds every effect of. Called
 * on the poll thread; the committed offsets are read from any thread.
 */
final class StateCommits {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);

    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String topic;
    private final String group;
    private final CommittedState state;
    private final RecordDispatcher<?, ?> dispatcher;
    /** Per partition, the offset after the last record handed to the dispatcher, or where reading began. */
    private final Map<Integer, Long> dispatchedEnd = new HashMap<>();
    /** What the state holds now. */
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();

    private volatile boolean crashed;

    StateCommits(String topic, String group, CommittedState state, RecordDispatcher<?, ?> dispatcher) {
        this.topic = topic;
        this.group = group;
        this.state = state;
        this.dispatcher = dispatcher;
    }

    /** The offsets the state was committed with (partition -> next offset), as restored now. */
    Map<Integer, Long> restore() throws IOException {
        Map<Integer, Long> restored = state.restore();
        committed.putAll(restored);
        return restored;
    }

    /** Reading {@code partition} begins at {@code offset}. */
    void startAt(int partition, long offset) {
        dispatchedEnd.put(partition, offset);
    }

    /** Records of {@code partition} up to {@code next} (exclusive) went to the dispatcher. */
    void dispatched(int partition, long next) {
        dispatchedEnd.put(partition, next);
    }

    /** From now on nothing is committed (a crash, for tests). */
    void crash() {
        crashed = true;
    }

    /** The offset the state holds for {@code partition}, or -1. */
    long committedOffset(int partition) {
        return committed.getOrDefault(partition, -1L);
    }

    /**
     * Waits (not polling meanwhile: the consumer belongs to no group that could evict it) until nothing is in
     * flight, then commits the state; gives up if {@code running} turns false first (the close commits).
     */
    void commit(BooleanSupplier running) throws IOException, InterruptedException {
        while (!dispatcher.awaitQuiescent(WAIT_SLICE_NANOS)) {
            dispatcher.checkStall();
            if (!running.getAsBoolean()) {
                return;
            }
        }
        commitIfQuiescent();
    }

    /** The last commit, once the dispatcher has let what it could finish. */
    void commitOnClose() throws IOException {
        if (!commitIfQuiescent()) {
            LOG.warn(
                    "consumer of {} (group {}) closes with records unhandled (parked keys): its state is not "
                            + "committed, the next start goes on from the last commit",
                    topic,
                    group);
        }
    }

    /** Commits the offsets matching the state if no record is pending; returns whether it did (or had nothing). */
    private boolean commitIfQuiescent() throws IOException {
        if (crashed) {
            return true;
        }
        Map<Integer, Long> next = new HashMap<>();
        for (Map.Entry<Integer, Long> e : dispatchedEnd.entrySet()) {
            if (dispatcher.pending(e.getKey()) > 0) {
                return false; // abandoned at close: no offset matches the state
            }
            next.put(e.getKey(), e.getValue());
        }
        if (!committed.entrySet().containsAll(next.entrySet())) {
            state.commit(next);
            committed.putAll(next);
        }
        return true;
    }
}
