package dev.ordo.engine;

import dev.ordo.causal.ClockDriftException;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of the timestamp oracle: a handler that merges each record's hybrid timestamp
 * ({@link OrdoHeaders#HYBRID_TIMESTAMP}) into a {@link HybridLogicalClock} before the application's
 * handler runs. A producer stamping with the same clock ({@code .hybridClock(clock)} on either engine's
 * producer builder) then gives every record it sends from the handler, or after it, a later stamp than
 * the record handled, whatever the two machines' physical clocks say: a reply never sorts before its
 * request.
 *
 * <p><b>Timestamp anomalies.</b> A stamp more than the clock's drift bound ahead of the local physical
 * clock is not merged (it would drag this machine's clock into the future). It is reported as a
 * {@link TimestampAnomaly}: a WARN log line with the stamp and the local time, the counter
 * {@code ordo.hlc.anomalies} (tag {@code topic}) when {@link #countingIn} a registry, and the listener
 * given to {@link #reportingTo}. The record is still handled: an anomaly says a clock is wrong, not that
 * the record is, and holding the partition back would let one fast clock stop a consumer. Records sent
 * after handling it then carry stamps that need not be later than the anomalous one.
 *
 * <p>A record without the header is handled without merging anything. A malformed header (not 8 bytes)
 * fails the record with {@link IllegalArgumentException}, which the consumer retries and then treats by
 * its failure policy like any other failure. Retried records are merged again, which is harmless.
 *
 * <pre>{@code
 * HybridLogicalClock clock = HybridLogicalClock.system();
 * RecordProducer<String, Reply> replies = OrdoProducer.builder(log, "replies", keys, replySerde).hybridClock(clock).build();
 * consumer.handler(HybridClockHandler.merging(clock, request -> replies.send(request.key(), answer(request)))
 *         .reportingTo(anomaly -> alerts.add(anomaly))
 *         .countingIn(meterRegistry));
 * }</pre>
 *
 * Thread-safe if the wrapped handler is.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class HybridClockHandler<K, V> implements RecordHandler<K, V> {

    /** The counter of anomalies in a {@link #countingIn meter registry}. */
    public static final String ANOMALIES_METER = "ordo.hlc.anomalies";

    private static final Logger LOG = LoggerFactory.getLogger(HybridClockHandler.class);
    private static final TimestampAnomaly.Listener NO_LISTENER = anomaly -> {};

    private final HybridLogicalClock clock;
    private final RecordHandler<K, V> handler;
    private final TimestampAnomaly.Listener listener;
    private final MeterRegistry registry;
    private final AtomicLong anomalies = new AtomicLong();

    private HybridClockHandler(
            HybridLogicalClock clock,
            RecordHandler<K, V> handler,
            TimestampAnomaly.Listener listener,
            MeterRegistry registry) {
        this.clock = clock;
        this.handler = handler;
        this.listener = listener;
        this.registry = registry;
    }

    /** {@code handler}, run after each record's hybrid timestamp is merged into {@code clock}. */
    public static <K, V> HybridClockHandler<K, V> merging(HybridLogicalClock clock, RecordHandler<K, V> handler) {
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        return new HybridClockHandler<>(clock, handler, NO_LISTENER, null);
    }

    /** The same handler, also telling {@code listener} of each timestamp anomaly (replacing any listener). */
    public HybridClockHandler<K, V> reportingTo(TimestampAnomaly.Listener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return new HybridClockHandler<>(clock, handler, listener, registry);
    }

    /** The same handler, also counting anomalies in {@code registry} as {@value #ANOMALIES_METER}. */
    public HybridClockHandler<K, V> countingIn(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        return new HybridClockHandler<>(clock, handler, listener, registry);
    }

    @Override
    public void handle(OrdoRecord<K, V> record) throws Exception {
        HybridTimestamp stamp = OrdoHeaders.hybridTimestamp(record.headers());
        if (stamp != null) {
            try {
                clock.update(stamp);
            } catch (ClockDriftException e) {
                report(new TimestampAnomaly(
                        record.topic(), record.partition(), record.offset(), stamp, e.localPhysical()));
            }
        }
        handler.handle(record);
    }

    /** Timestamp anomalies this handler reported so far. */
    public long anomalies() {
        return anomalies.get();
    }

    private void report(TimestampAnomaly anomaly) {
        anomalies.incrementAndGet();
        LOG.warn(
                "timestamp anomaly: record {}-{}@{} is stamped {}, {} ms ahead of the local clock {} (beyond the"
                        + " drift bound); handled without merging the stamp",
                anomaly.topic(),
                anomaly.partition(),
                anomaly.offset(),
                anomaly.stamp(),
                anomaly.aheadMillis(),
                anomaly.localPhysical());
        if (registry != null) {
            Counter.builder(ANOMALIES_METER)
                    .description("records whose hybrid timestamp was beyond the drift bound")
                    .tag("topic", anomaly.topic())
                    .register(registry)
                    .increment();
        }
        listener.onAnomaly(anomaly);
    }
}
