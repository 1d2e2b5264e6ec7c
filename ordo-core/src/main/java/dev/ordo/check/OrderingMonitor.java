package dev.ordo.check;

import dev.ordo.Arguments;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a stream that should carry each key's sequence numbers in order and flags a
 * {@link Violation#GAP gap}, a {@link Violation#REORDER reorder} or a
 * {@link Violation#DUPLICATE duplicate} the moment it passes, and, when configured, a record read
 * from a partition its key does not belong in ({@link Violation#PARTITION_MISMATCH}) or an event
 * time out of bounds ({@link Violation#TIMESTAMP_ANOMALY}): logged, counted in Micrometer
 * ({@code ordo.ordering.violations{kind, severity, stage}}) and handed to a listener. Cheap enough
 * to leave on in production: one map lookup and a comparison per message while the stream is in
 * order, or just the comparison through a per-key {@link #watch(Object) watch}; the partition and
 * timestamp checks are separate calls, so a stream that does not make them pays nothing for them.
 *
 * <pre>{@code
 * OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
 *         .stage("ledger-handler").registry(meterRegistry)
 *         .partitionLayout(PartitionLayout.kafkaDefault(8))             // optional
 *         .timestampBounds(TimestampBounds.kafkaDefault())               // optional, against clock(...)
 *         .listener((violation, key, observed, expected) -> alert(violation, key))
 *         .build();
 * monitor.observe(record.key(), record.sequence());   // in the handler, after processing
 * monitor.observePartition(record.key(), record.partition());
 * monitor.observeTimestamp(record.key(), record.timestamp());
 * }</pre>
 *
 * <p>Online, a skip cannot yet be told from a loss: it is a GAP when it passes, and each message
 * that fills it later is a REORDER as well. The offline {@link OrderingChecker} on a recorded
 * {@link History} counts each problem once.
 *
 * <p>Per key it remembers the highest sequence seen and the sequence numbers skipped by gaps (up
 * to {@code maxMissingPerKey}, oldest forgotten first), so a message that later fills a gap is a
 * reorder and anything else at or below the highest is a duplicate. At most {@code maxKeys} keys
 * are tracked; beyond that an arbitrary key is forgotten (its next message starts it afresh).
 * Thread-safe across keys. Messages of one key must be observed by one thread at a time with a
 * happens-before hand-over between threads (as {@link dev.ordo.exec.KeyOrderedExecutor} runs
 * them): the in-order path takes no lock, which is what keeps it cheap.
 *
 * @param <K> the key: a source, a partition, an entity
 */
public final class OrderingMonitor<K> {

    /** What went wrong, each with its {@link Severity} (see {@link Anomaly} for the reasons). */
    public enum Violation {
        /**
         * Sequence numbers were skipped: the message is ahead of the next expected one. A warning:
         * the skipped messages may yet arrive (then each is a REORDER) or be lost.
         */
        GAP(Severity.WARNING, "sequence"),
        /** A message arrived after a later one of its key (it fills an earlier gap). Critical. */
        REORDER(Severity.CRITICAL, "sequence"),
        /** A sequence number arrived again. A warning: harmless if a later stage drops it. */
        DUPLICATE(Severity.WARNING, "sequence"),
        /** A record was read from a partition its key does not belong in under the layout. A warning. */
        PARTITION_MISMATCH(Severity.WARNING, "partition"),
        /** An event time lies beyond the bounds around the clock's time. Info. */
        TIMESTAMP_ANOMALY(Severity.INFO, "event time");

        private final Severity severity;
        private final String observed;

        Violation(Severity severity, String observed) {
            this.severity = severity;
            this.observed = observed;
        }

        /** How bad this kind of violation is. */
        public Severity severity() {
            return severity;
        }
    }

    /** Told of every violation, on the observing thread. */
    @FunctionalInterface
    public interface Listener<K> {
        /**
         * @param observed what the message had: its sequence (GAP, REORDER, DUPLICATE), the
         *        partition it was read from (PARTITION_MISMATCH) or its event time (TIMESTAMP_ANOMALY)
         * @param expected the next sequence expected for the key when the message arrived, the
         *        partition the key belongs in, or the clock's time in milliseconds
         */
        void onViolation(Violation violation, K key, long observed, long expected);
    }

    private static final Logger LOG = LoggerFactory.getLogger(OrderingMonitor.class);

    private final ConcurrentHashMap<K, KeyTrack> keys = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final int maxMissingPerKey;
    private final Long firstSequence;
    private final Listener<K> listener;
    private final String stage;
    private final PartitionLayout<? super K> layout;
    private final TimestampBounds timestampBounds;
    private final InstantSource clock;
    private final Counter[] counters = new Counter[Violation.values().length];
    private final AtomicBoolean[] logged = new AtomicBoolean[Violation.values().length];

    private OrderingMonitor(Builder<K> b) {
        this.maxKeys = b.maxKeys;
        this.maxMissingPerKey = b.maxMissingPerKey;
        this.firstSequence = b.firstSequence;
        this.listener = b.listener;
        this.stage = b.stage;
        this.layout = b.layout;
        this.timestampBounds = b.timestampBounds;
        this.clock = b.clock;
        for (Violation v : Violation.values()) {
            counters[v.ordinal()] = Counter.builder("ordo.ordering.violations")
                    .description("Ordering violations seen by an online monitor")
                    .tags(Tags.of(
                            "kind",
                            v.name().toLowerCase(Locale.ROOT),
                            "severity",
                            v.severity.name().toLowerCase(Locale.ROOT),
                            "stage",
                            b.stage))
                    .register(b.registry);
            logged[v.ordinal()] = new AtomicBoolean();
        }
    }

    public static <K> Builder<K> builder() {
        return new Builder<>();
    }

    /**
     * Observes one message of {@code key} with {@code sequence}.
     *
     * @return the violation it shows, or null if it is in order
     */
    public Violation observe(K key, long sequence) {
        KeyTrack track = keys.get(key);
        if (track == null) {
            track = start(Objects.requireNonNull(key, "key must not be null"));
        }
        return observe(track, key, sequence);
    }

    /**
     * Checks that a record of {@code key} was read from the partition the
     * {@linkplain Builder#partitionLayout layout} puts the key in.
     *
     * @return {@link Violation#PARTITION_MISMATCH}, or null if the partition is the key's
     * @throws IllegalStateException if the monitor was built without a layout
     * @throws IllegalArgumentException if {@code partition < 0}
     */
    public Violation observePartition(K key, int partition) {
        Objects.requireNonNull(key, "key must not be null");
        return checkPartition(key, partition, requireLayout().partitionOf(key));
    }

    /**
     * Checks a record's event time against the {@linkplain Builder#timestampBounds bounds} around
     * the {@linkplain Builder#clock clock}. A negative time means the record has none: nothing to check.
     *
     * @param timestamp the event time, in milliseconds since the epoch
     * @return {@link Violation#TIMESTAMP_ANOMALY}, or null if it is within the bounds
     * @throws IllegalStateException if the monitor was built without timestamp bounds
     */
    public Violation observeTimestamp(K key, long timestamp) {
        Objects.requireNonNull(key, "key must not be null");
        if (timestampBounds == null) {
            throw new IllegalStateException("no timestamp bounds configured: see Builder.timestampBounds");
        }
        if (timestamp < 0) {
            return null;
        }
        long now = clock.millis();
        if (timestampBounds.allows(timestamp, now)) {
            return null;
        }
        report(Violation.TIMESTAMP_ANOMALY, key, timestamp, now);
        return Violation.TIMESTAMP_ANOMALY;
    }

    private PartitionLayout<? super K> requireLayout() {
        if (layout == null) {
            throw new IllegalStateException("no partition layout configured: see Builder.partitionLayout");
        }
        return layout;
    }

    private Violation checkPartition(K key, int partition, int expected) {
        Arguments.atLeast("partition", partition, 0);
        if (partition == expected) {
            return null;
        }
        report(Violation.PARTITION_MISMATCH, key, partition, expected);
        return Violation.PARTITION_MISMATCH;
    }

    /**
     * A watch on one key, for an application that keeps per-key state anyway: its
     * {@link Watch#observe} skips the map lookup {@link #observe(Object, long)} makes (which, with
     * many keys, costs more than the comparison itself). A watch keeps tracking its key even if the
     * key is later forgotten to stay within {@code maxKeys}.
     */
    public Watch watch(K key) {
        KeyTrack track = keys.get(Objects.requireNonNull(key, "key must not be null"));
        return new Watch(key, track == null ? start(key) : track);
    }

    /**
     * One key's watch, from {@link #watch}; the same threading rule as {@link #observe(Object, long)}.
     * It computes the key's partition once, so its partition check is a comparison.
     */
    public final class Watch {
        private final K key;
        private final KeyTrack track;
        /** The key's partition under the layout, or -1 without one. */
        private final int partition;

        private Watch(K key, KeyTrack track) {
            this.key = key;
            this.track = track;
            this.partition = layout == null ? -1 : layout.partitionOf(key);
        }

        /** Observes the key's next message; returns the violation it shows, or null if it is in order. */
        public Violation observe(long sequence) {
            return OrderingMonitor.this.observe(track, key, sequence);
        }

        /** As {@link OrderingMonitor#observePartition(Object, int)} for this key. */
        public Violation observePartition(int partition) {
            requireLayout();
            return checkPartition(key, partition, this.partition);
        }

        /** As {@link OrderingMonitor#observeTimestamp(Object, long)} for this key. */
        public Violation observeTimestamp(long timestamp) {
            return OrderingMonitor.this.observeTimestamp(key, timestamp);
        }
    }

    private Violation observe(KeyTrack track, K key, long sequence) {
        // In-order fast path without a lock: messages of one key are observed by one thread at a
        // time, and the caller's hand-over between threads (a key-ordered executor's) makes the
        // previous write visible. The rare violation path locks to keep the gap set consistent.
        long expected = track.highest + 1;
        if (sequence == expected || track.highest == Long.MIN_VALUE) {
            track.highest = sequence;
            return null;
        }
        Violation violation;
        synchronized (track) {
            violation = track.classify(sequence, maxMissingPerKey);
        }
        report(violation, key, sequence, expected);
        return violation;
    }

    /** Violations of {@code kind} seen so far. */
    public long count(Violation kind) {
        return (long) counters[kind.ordinal()].count();
    }

    private KeyTrack start(K key) {
        if (keys.size() >= maxKeys) {
            Iterator<K> any = keys.keySet().iterator();
            if (any.hasNext()) {
                keys.remove(any.next());
            }
        }
        return keys.computeIfAbsent(key, k -> new KeyTrack(firstSequence));
    }

    private void report(Violation violation, K key, long observed, long expected) {
        counters[violation.ordinal()].increment();
        if (logged[violation.ordinal()].compareAndSet(false, true)) {
            LOG.warn(
                    "ordering violation at stage {}: {} ({}) on key {} ({} {}, expected {}); "
                            + "further ones are logged at debug",
                    stage,
                    violation,
                    violation.severity,
                    key,
                    violation.observed,
                    observed,
                    expected);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "ordering violation at stage {}: {} ({}) on key {} ({} {}, expected {})",
                    stage,
                    violation,
                    violation.severity,
                    key,
                    violation.observed,
                    observed,
                    expected);
        }
        listener.onViolation(violation, key, observed, expected);
    }

    /** A key's highest sequence seen and the numbers skipped below it. */
    private static final class KeyTrack {
        long highest;
        /** Sequence numbers skipped by gaps, made on the first gap: most keys never have one. */
        TreeSet<Long> missing;

        KeyTrack(Long firstSequence) {
            // Without a declared first sequence the first message seen starts the stream.
            this.highest = firstSequence == null ? Long.MIN_VALUE : firstSequence - 1;
        }

        /** Classifies a message that is not the next expected one, updating what is remembered. */
        Violation classify(long sequence, int maxMissing) {
            if (missing == null) {
                missing = new TreeSet<>();
            }
            if (sequence > highest) {
                // Remember only the newest maxMissing skipped numbers: a huge gap costs O(maxMissing).
                for (long s = Math.max(highest + 1, sequence - maxMissing); s < sequence; s++) {
                    missing.add(s);
                }
                while (missing.size() > maxMissing) {
                    missing.pollFirst();
                }
                highest = sequence;
                return Violation.GAP;
            }
            return missing.remove(sequence) ? Violation.REORDER : Violation.DUPLICATE;
        }
    }

    /** Configures an {@link OrderingMonitor}. */
    public static final class Builder<K> {
        private int maxKeys = 1_000_000;
        private int maxMissingPerKey = 1_024;
        private Long firstSequence;
        private Listener<K> listener = (v, k, s, e) -> {};
        private MeterRegistry registry = new SimpleMeterRegistry();
        private String stage = "default";
        private PartitionLayout<? super K> layout;
        private TimestampBounds timestampBounds;
        private InstantSource clock = InstantSource.system();

        private Builder() {}

        public Builder<K> maxKeys(int maxKeys) {
            this.maxKeys = Arguments.atLeast("maxKeys", maxKeys, 1);
            return this;
        }

        public Builder<K> maxMissingPerKey(int maxMissingPerKey) {
            this.maxMissingPerKey = Arguments.atLeast("maxMissingPerKey", maxMissingPerKey, 0);
            return this;
        }

        /** Every key's stream starts at this sequence (so a missing first message is a gap). */
        public Builder<K> firstSequence(long firstSequence) {
            this.firstSequence = firstSequence;
            return this;
        }

        public Builder<K> listener(Listener<K> listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        public Builder<K> registry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
            return this;
        }

        /**
         * The topic's layout, for {@link OrderingMonitor#observePartition}: e.g.
         * {@code PartitionLayout.kafkaDefault(8)} for string keys on 8 partitions.
         */
        public Builder<K> partitionLayout(PartitionLayout<? super K> layout) {
            this.layout = Objects.requireNonNull(layout, "layout must not be null");
            return this;
        }

        /** How far an event time may stray from the {@link #clock}, for {@link OrderingMonitor#observeTimestamp}. */
        public Builder<K> timestampBounds(TimestampBounds bounds) {
            this.timestampBounds = Objects.requireNonNull(bounds, "timestampBounds must not be null");
            return this;
        }

        /** The wall clock event times are checked against; by default the system's. */
        public Builder<K> clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** The stage name in metrics and logs. */
        public Builder<K> stage(String stage) {
            this.stage = Objects.requireNonNull(stage, "stage must not be null");
            return this;
        }

        public OrderingMonitor<K> build() {
            return new OrderingMonitor<>(this);
        }
    }
}
