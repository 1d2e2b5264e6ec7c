package dev.ordo.engine.core;

import dev.ordo.Arguments;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeats both engines' producers send when built with {@code .heartbeats(interval)}: every
 * interval, to each partition the producer sent no record to since the last round, an empty record with
 * {@link OrdoHeaders#heartbeat} headers, so a consumer with {@link dev.ordo.engine.Ordering#TOTAL} is not held back by
 * a partition with nothing to say. One daemon thread per producer.
 */
public final class ProducerHeartbeats implements AutoCloseable {

    /** Sends one heartbeat record with these headers to this partition. */
    @FunctionalInterface
    public interface PartitionSend {
        void send(int partition, Headers headers);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProducerHeartbeats.class);

    private final HybridLogicalClock clock;
    private final IntSupplier partitions;
    private final PartitionSend send;
    private final String topic;
    private final ScheduledExecutorService timer;
    /** Partitions that got a record since the last round: no heartbeat needed there. */
    private final ConcurrentHashMap.KeySetView<Integer, Boolean> busy = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean closed = new AtomicBoolean();

    private ProducerHeartbeats(
            String topic, HybridLogicalClock clock, Duration interval, IntSupplier partitions, PartitionSend send) {
        this.topic = topic;
        this.clock = clock;
        this.partitions = partitions;
        this.send = send;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ordo-heartbeats-" + topic);
            t.setDaemon(true);
            return t;
        });
        long nanos = interval.toNanos();
        timer.scheduleAtFixedRate(this::round, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Starts sending heartbeats to the {@code partitions} partitions of {@code topic} every {@code interval}. */
    public static ProducerHeartbeats start(
            String topic, HybridLogicalClock clock, Duration interval, IntSupplier partitions, PartitionSend send) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Arguments.positive("interval", interval);
        Objects.requireNonNull(partitions, "partitions must not be null");
        Objects.requireNonNull(send, "send must not be null");
        return new ProducerHeartbeats(topic, clock, interval, partitions, send);
    }

    /** A record went to {@code partition}: it needs no heartbeat this round. */
    public void sent(int partition) {
        busy.add(partition);
    }

    private void round() {
        try {
            int count = partitions.getAsInt();
            for (int p = 0; p < count; p++) {
                if (!busy.remove(p)) {
                    send.send(p, OrdoHeaders.heartbeat(clock));
                }
            }
        } catch (RuntimeException e) {
            // a closed or failed producer: the next round tries again, close() ends the rounds
            LOG.debug("heartbeat round for topic {} failed", topic, e);
        }
    }

    /**
     * Stops sending heartbeats (one round under way may still finish), after a last one to every partition,
     * busy or not: the producer sends nothing more, so the records it sent last need not wait for another
     * producer's heartbeats, which may never come. Call it before the producer stops sending. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            timer.shutdownNow();
            try {
                int count = partitions.getAsInt();
                for (int p = 0; p < count; p++) {
                    send.send(p, OrdoHeaders.heartbeat(clock));
                }
            } catch (RuntimeException e) {
                LOG.debug("last heartbeat round for topic {} failed", topic, e);
            }
        }
    }
}
