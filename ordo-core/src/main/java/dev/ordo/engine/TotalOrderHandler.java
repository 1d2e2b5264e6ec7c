package dev.ordo.engine;

import dev.ordo.Arguments;
import dev.ordo.causal.HybridTimestamp;
import java.util.Objects;

/**
 * Total order across machines: hands the records of all partitions of a topic to {@code handler} one at a
 * time, in the order (hybrid timestamp, partition, offset), so that every consumer process reading the
 * whole topic handles its records in one identical order. A record is released once every other partition
 * has gone past it, by a later record or a producer heartbeat ({@link OrdoHeaders#heartbeat}); heartbeats
 * are not handed to {@code handler}. Every record must carry a stamp ({@code .hybridClock(clock)} on the
 * producers).
 *
 * <p>Use it on a consumer that reads every partition (each process its own group) with
 * {@link Ordering#PARTITION} and a concurrency of at least the partition count: each partition's next
 * record waits for its turn on its handler thread, so the consumer commits an offset only once the record
 * was handled in order, and the stage buffers at most one record per partition. The order is the same in
 * every process that starts from the same offsets (the beginning, for a new group). An idle partition
 * whose producer sends no heartbeats holds everything back; the wait is logged every 10 s with the
 * partitions it waits for.
 *
 * <pre>{@code
 * TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(3, record -> replica.apply(record.value()));
 * OrdoConsumer.builder(log, "commands", Serdes.string(), Serdes.string())
 *         .group("replica-" + processId).ordering(Ordering.PARTITION).concurrency(3)
 *         .handler(inOrder).start();
 * }</pre>
 *
 * Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TotalOrderHandler<K, V> implements RecordHandler<K, V>, AutoCloseable {

    private final TotalOrderGate gate;
    private final RecordHandler<K, V> handler;

    private TotalOrderHandler(int partitions, RecordHandler<K, V> handler) {
        this.gate = new TotalOrderGate(partitions);
        this.handler = handler;
    }

    /** {@code handler} for the records of a topic of {@code partitions} partitions, in the total order. */
    public static <K, V> TotalOrderHandler<K, V> of(int partitions, RecordHandler<K, V> handler) {
        Arguments.atLeast("partitions", partitions, 1);
        return new TotalOrderHandler<>(partitions, Objects.requireNonNull(handler, "handler must not be null"));
    }

    /**
     * Waits for the record's turn, then handles it.
     *
     * @throws IllegalArgumentException if the record has no hybrid timestamp, or a malformed one
     * @throws IllegalStateException if this stage was closed while the record waited
     */
    @Override
    public void handle(OrdoRecord<K, V> record) throws Exception {
        HybridTimestamp stamp = OrdoHeaders.hybridTimestamp(record.headers());
        if (stamp == null) {
            throw new IllegalArgumentException("record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " has no " + OrdoHeaders.HYBRID_TIMESTAMP
                    + " header: total order needs every producer of the topic built with hybridClock");
        }
        if (OrdoHeaders.isHeartbeat(record.headers())) {
            gate.heartbeat(record.partition(), stamp);
            return;
        }
        gate.enter(record.partition(), stamp);
        try {
            handler.handle(record);
        } finally {
            gate.leave();
        }
    }

    /** Fails every record waiting for its turn ({@link IllegalStateException}); close it before the consumer. */
    @Override
    public void close() {
        gate.close();
    }
}
