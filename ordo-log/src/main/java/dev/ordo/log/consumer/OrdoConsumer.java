package dev.ordo.log.consumer;

import dev.ordo.Arguments;
import dev.ordo.engine.CommittedState;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Lag;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.core.AbstractRecordConsumer;
import dev.ordo.engine.core.ConsumerMeters;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.GroupCoordinator;
import dev.ordo.log.engine.TopicSpec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of one topic in a consumer group of the embedded engine. It fetches the partitions the
 * group gives it from the group's committed offsets and hands them to the engine-neutral
 * {@link RecordDispatcher} (ordering, retries, parking, dead letters, commit points); it keeps the
 * fetching, the group membership and the commits. A restart never skips an unhandled record
 * (at-least-once). With a {@link Builder#committedState CommittedState} the offsets are committed
 * atomically with the application's state instead, at points where no handler runs, so each record's
 * effect on that state is applied exactly once, also across crashes.
 *
 * <pre>{@code
 * try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
 *         .group("balances").ordering(Ordering.KEY).concurrency(64).retry(Retry.exponential(5))
 *         .handler(record -> ledger.apply(record.key(), record.value()))
 *         .start()) {
 *     ...
 * }   // close() drains the records in flight and commits
 * }</pre>
 *
 * <p>A consumer starts from the committed offsets, or where {@link Builder#seek} /
 * {@link Builder#seekToTime} say (to replay). If retention deleted records it has not read, it
 * continues from the log's new start and logs how many it skipped, as Kafka's
 * {@code auto.offset.reset=earliest} does. Several consumers may share a group: its partitions are
 * divided among them, balanced, and re-divided (moving as few as possible) when one joins or closes;
 * a partition changes hands only after its old owner drained and committed it. A consumer with a
 * committed state must be alone in its group.
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public final class OrdoConsumer<K, V> extends AbstractRecordConsumer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);

    private final EmbeddedLog log;
    private final String topic;
    private final ConsumerProgress progress;
    /** Follows the group, fetches, dispatches and commits, on a thread of its own. */
    private final GroupFetcher fetcher;

    private OrdoConsumer(Builder<K, V> b, ConsumerSettings<K, V> settings) throws IOException {
        super(settings, "ordo-consumer-" + settings.group(), b.log.partitionCount(settings.topic()));
        this.log = b.log;
        this.topic = settings.topic();
        int partitions = log.partitionCount(topic);
        GroupCoordinator.Member member;
        Map<Integer, Long> initialPositions = new HashMap<>();
        try {
            member = ClientAccess.joinGroup(log, settings.group(), topic, partitions, b.state != null, b.pinned);
        } catch (IOException | RuntimeException e) {
            dispatcher.close(Duration.ZERO); // its handler threads started with it
            throw e;
        }
        try {
            if (b.state != null) {
                this.progress = new ConsumerProgress.State(b.state, restore(b.state, partitions));
                for (int p = 0; p < partitions; p++) {
                    initialPositions.put(p, progress.committed(p));
                }
            } else {
                this.progress = new ConsumerProgress.Offsets(
                        member.group().offsets(), topic, "ordo-commit-" + settings.group() + "-" + topic);
            }
            for (int p = 0; p < partitions; p++) {
                if (b.seekTime != null) {
                    initialPositions.put(p, log.offsetForTime(topic, p, b.seekTime.toEpochMilli()));
                } else if (b.seeks.containsKey(p)) {
                    initialPositions.put(p, b.seeks.get(p));
                }
            }
            this.fetcher = new GroupFetcher(
                    log,
                    settings,
                    dispatcher,
                    member,
                    progress,
                    initialPositions,
                    partitions,
                    b.fenceLayoutChanges,
                    this::settled,
                    this::failed);
            if (settings.registry() != null) {
                bindMetrics(settings.registry(), partitions);
            }
        } catch (IOException | RuntimeException e) {
            ClientAccess.leaveGroup(log, member);
            dispatcher.close(Duration.ZERO); // its handler threads started with it
            throw e;
        }
    }

    /** A consumer of raw bytes: keys and values as they are in the log. */
    public static Builder<byte[], byte[]> builder(EmbeddedLog log, String topic) {
        return new Builder<>(log, topic, Serdes.bytes(), Serdes.bytes());
    }

    /** A consumer whose handler gets keys and values through these deserializers. */
    public static <K, V> Builder<K, V> builder(
            EmbeddedLog log, String topic, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(log, topic, keyDeserializer, valueDeserializer);
    }

    /**
     * The restored positions of a committed state; one past the log's end (records it includes were
     * lost from the log in a power loss) goes on at the end, as a group's offsets file does.
     */
    private Map<Integer, Long> restore(CommittedState state, int partitions) throws IOException {
        Map<Integer, Long> restored = new HashMap<>(state.restore());
        for (int p = 0; p < partitions; p++) {
            long next = restored.getOrDefault(p, 0L);
            long end = log.endOffset(topic, p);
            if (next > end) {
                LOG.warn(
                        "committed state of group {} holds offset {} of {}-{}, but the log ends at {}: records it "
                                + "handled were lost from the log (a power loss before they were forced), "
                                + "their effects stay in the state; going on at {}",
                        settings.group(),
                        next,
                        topic,
                        p,
                        end,
                        end);
                next = end;
            }
            restored.put(p, next);
        }
        return restored;
    }

    /**
     * Per partition {@code ordo.consumer.lag}, {@code ordo.consumer.fetch.lag} and {@code
     * ordo.consumer.handler.seconds}, the group's {@code
     * ordo.consumer.keys.moved}, and the consumer's own meters.
     */
    private void bindMetrics(MeterRegistry registry, int partitions) {
        Tags tags = Tags.of("topic", topic, "group", settings.group());
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Tags partitionTags = tags.and("partition", String.valueOf(p));
            Gauge.builder("ordo.consumer.lag", this, c -> c.endOffset(partition) - c.committedOffset(partition))
                    .description("records appended and not yet committed by the group")
                    .tags(partitionTags)
                    .register(registry);
            Gauge.builder("ordo.consumer.fetch.lag", this, c -> c.endOffset(partition) - c.fetcher.position(partition))
                    .description("records appended and not yet fetched")
                    .tags(partitionTags)
                    .register(registry);
            FunctionCounter.builder("ordo.consumer.handler.seconds", dispatcher, d -> d.handlerSeconds(partition))
                    .description("seconds the handler spent on the partition's records")
                    .baseUnit("seconds")
                    .tags(partitionTags)
                    .register(registry);
        }
        Gauge.builder("ordo.consumer.keys.moved", fetcher, GroupFetcher::keysMoved)
                .description("share of the group's keys whose member changed at its last reassignment")
                .tags(tags)
                .register(registry);
        ConsumerMeters.bind(registry, dispatcher, "consumer-" + settings.group(), tags);
    }

    /** A partition's end, or -1 (not known) once the log closed under this consumer. */
    @Override
    protected long endOffset(int partition) {
        try {
            return log.endOffset(topic, partition);
        } catch (IllegalStateException e) {
            if (log.isClosed()) {
                return -1;
            }
            throw e;
        }
    }

    /** The committed next offset of a partition. */
    public long committedOffset(int partition) {
        return progress.committed(partition);
    }

    @Override
    public Set<Integer> assignment() {
        return fetcher.assignment();
    }

    @Override
    protected Map<Integer, String> fenceHolds() {
        return fetcher.fenceHolds();
    }

    @Override
    public Lag lag() {
        return dispatcher.lag(this::endOffset);
    }

    @Override
    protected void shutdown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean stopped = fetcher.stop(deadline);
        dispatcher.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        try {
            progress.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopped) {
            fetcher.commitAndLeave();
        } else {
            fetcher.leaveWithoutCommit();
        }
    }

    private OrdoConsumer<K, V> startFetching() {
        fetcher.start();
        return this;
    }

    /** Copies a record that failed every attempt to the dead-letter topic and waits for it to be stored. */
    @Override
    protected void sendDeadLetter(String deadLetterTopic, byte[] key, byte[] value, Headers headers)
            throws IOException {
        log.append(deadLetterTopic, key, value, headers.toList());
    }

    /**
     * Configures an {@link OrdoConsumer}: the settings shared with Kafka's consumer
     * ({@link ConsumerBuilder}; group and handler required) and the embedded engine's own.
     */
    public static final class Builder<K, V> extends ConsumerBuilder<Builder<K, V>, K, V> {
        private final EmbeddedLog log;
        private CommittedState state;
        private final Map<Integer, Long> seeks = new HashMap<>();
        private Instant seekTime;
        private boolean fenceLayoutChanges = true;
        private Set<Integer> pinned = Set.of();

        private Builder(EmbeddedLog log, String topic, Deserializer<K> keys, Deserializer<V> values) {
            super(topic, keys, values);
            this.log = Objects.requireNonNull(log, "log must not be null");
        }

        @Override
        protected Builder<K, V> self() {
            return this;
        }

        /**
         * Commits offsets atomically with this application state instead of the group's offsets file
         * (exactly-once effects on the state; see {@link CommittedState}). Not with {@link Ordering#TOTAL}:
         * a state commit waits for a moment with no record in flight, which the total order, holding
         * records until other partitions pass them, need not reach.
         */
        public Builder<K, V> committedState(CommittedState state) {
            this.state = Objects.requireNonNull(state, "state must not be null");
            return this;
        }

        /** Starts reading {@code partition} at {@code offset} instead of the committed offset (replay or skip). */
        public Builder<K, V> seek(int partition, long offset) {
            Arguments.atLeast("partition", partition, 0);
            Arguments.atLeast("offset", offset, 0);
            seeks.put(partition, offset);
            return this;
        }

        /**
         * Makes this member own {@code partitions} whatever their load, for as long as it is in the group
         * (affinity: a cache warmed for them, a machine near their data); the group shares the others.
         *
         * @throws IllegalArgumentException if a partition is negative; {@link #start()} throws
         *     {@link IllegalStateException} if another member of the group pinned one of them
         */
        public Builder<K, V> pin(Set<Integer> partitions) {
            for (int p : partitions) {
                Arguments.atLeast("pinned partition", p, 0);
            }
            this.pinned = Set.copyOf(partitions);
            return this;
        }

        /**
         * Off only in a test that shows what the fence across changes of the partition count prevents
         * ({@link dev.ordo.partition.TopicLayout}); never for applications.
         */
        Builder<K, V> fenceLayoutChanges(boolean fence) {
            this.fenceLayoutChanges = fence;
            return this;
        }

        /** Starts reading every partition at its first record at or after {@code time} (replay from a time). */
        public Builder<K, V> seekToTime(Instant time) {
            this.seekTime = Objects.requireNonNull(time, "time must not be null");
            return this;
        }

        /**
         * Creates the consumer and starts fetching.
         *
         * @throws IllegalStateException if the settings do not fit together (see {@link ConsumerBuilder}; a
         *     committed state with {@link Ordering#TOTAL})
         * @throws IllegalArgumentException if the topic does not exist, the dead-letter topic does not
         *     exist (and is not to be created), or a seek is out of range
         * @throws UncheckedIOException if the group's offsets or the state cannot be read
         */
        @Override
        public OrdoConsumer<K, V> start() {
            ConsumerSettings<K, V> settings = settings();
            if (state != null && settings.ordering() == Ordering.TOTAL) {
                throw new IllegalStateException("committedState cannot be combined with Ordering.TOTAL: a state is"
                        + " committed when no record is in flight, and the total order holds records until the other"
                        + " partitions pass them");
            }
            String topic = settings.topic();
            int partitions = log.partitionCount(topic);
            for (Map.Entry<Integer, Long> seek : seeks.entrySet()) {
                if (seek.getKey() >= partitions) {
                    throw new IllegalArgumentException("seek partition must be in [0, " + partitions + ") for topic '"
                            + topic + "', was " + seek.getKey());
                }
                long end = log.endOffset(topic, seek.getKey());
                if (seek.getValue() > end) {
                    throw new IllegalArgumentException("seek offset of " + topic + "-" + seek.getKey()
                            + " must be <= its end offset " + end + ", was " + seek.getValue());
                }
            }
            try {
                requireDeadLetterTopic(settings);
                return new OrdoConsumer<>(this, settings).startFetching();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot start a consumer of " + topic + " in group " + settings.group(), e);
            }
        }

        private void requireDeadLetterTopic(ConsumerSettings<K, V> settings) throws IOException {
            String dlq = settings.deadLetterTopic();
            if (dlq == null || log.listTopics().contains(dlq)) {
                return;
            }
            if (!settings.createDeadLetterTopic()) {
                throw new IllegalArgumentException("deadLetter topic '" + dlq + "' does not exist; create it, or use "
                        + "deadLetter(topic, true) to have the consumer create it");
            }
            log.createTopic(dlq, TopicSpec.partitions(1));
        }
    }
}
