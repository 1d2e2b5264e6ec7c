package dev.ordo.kafka;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Header;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Lag;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.core.AbstractRecordConsumer;
import dev.ordo.engine.core.ConsumerMeters;
import dev.ordo.engine.core.ConsumerSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer in a consumer group with Ordo's ordering modes: in {@link Ordering#KEY} mode the
 * records of one partition run in parallel across keys and in log order within a key, the job
 * Confluent's Parallel Consumer does. What happens between fetching and committing (ordering,
 * retries, parking, dead letters, commit points, drains) is the engine-neutral
 * {@link RecordDispatcher}'s, the same as on the embedded engine; this consumer keeps polling, group
 * membership, commits and partition fences.
 *
 * <ul>
 *   <li><b>Commits</b> only the highest offset below which every record has been handled, every
 *       {@code commitInterval} and on close: a restart never skips an unhandled record
 *       (at-least-once). The offsets handled beyond that point travel in the commit's metadata
 *       ({@link CompletedOffsets}), and whoever consumes the partition next skips them.</li>
 *   <li><b>Backpressure</b>: at {@code maxInFlight} unfinished records the consumer pauses its
 *       partitions and keeps polling (so the group does not evict it for exceeding
 *       {@code max.poll.interval.ms}); it resumes at three quarters.</li>
 *   <li><b>Rebalances</b>, under either consumer group protocol ({@link Builder#groupProtocol}):
 *       {@code classic} with the cooperative-sticky assignor (the default, as Kafka's own client), or
 *       KIP-848's {@code consumer}, where the broker assigns. A partition being revoked is drained
 *       (up to the drain timeout) and committed before it is let go; a partition lost without warning
 *       is dropped uncommitted (its records in flight are handled again by the next owner).</li>
 *   <li><b>Partition growth</b>: a record fenced behind an earlier partition by
 *       {@link KafkaOrdoProducer} ({@link PartitionFence}) holds its partition, paused, until the
 *       records it follows are handled; the other partitions go on.</li>
 *   <li><b>Exactly-once effects</b> with {@link Builder#committedState}: the offsets are committed with
 *       the application's state, not to Kafka, as on the embedded engine.</li>
 * </ul>
 *
 * <pre>{@code
 * try (RecordConsumer consumer = KafkaOrdoConsumer.builder(
 *                 "localhost:9092", "ledger", Serdes.string(), Serdes.string())
 *         .group("balances").ordering(Ordering.KEY).concurrency(64)
 *         .handler(r -> ledger.apply(r.key(), r.value())).start()) {
 *     ...
 * }
 * }</pre>
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public final class KafkaOrdoConsumer<K, V> extends AbstractRecordConsumer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final String topic;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    /** Polls, dispatches, commits and follows the group, on a thread of its own. */
    private final PollLoop pollLoop;

    /** @param partitions the topic's partition count, for {@link Ordering#TOTAL}; 0 for the other orderings */
    private KafkaOrdoConsumer(Builder<K, V> b, ConsumerSettings<K, V> settings, String client, int partitions) {
        super(settings, "ordo-kafka-" + client, partitions);
        this.topic = settings.topic();
        Properties props = new Properties();
        props.putAll(b.overrides);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a transaction's records only once committed: an aborted one (a migration step cut short) is never handled
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, b.groupProtocol.name().toLowerCase(Locale.ROOT));
        if (b.groupProtocol == GroupProtocol.CLASSIC) {
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        } // KIP-848: the broker assigns, and a client-side assignor is refused
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, client);
        KafkaProducer<byte[], byte[]> dlq = null;
        KafkaConsumer<byte[], byte[]> consumer = null;
        try {
            dlq = settings.deadLetterTopic() == null
                    ? null
                    : new KafkaProducer<>(producerProperties(b), new ByteArraySerializer(), new ByteArraySerializer());
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Tags tags = Tags.of("topic", topic, "group", settings.group(), "client", client);
            KafkaLagMeters lagMeters = settings.registry() == null
                    ? null
                    : new KafkaLagMeters(settings.registry(), tags, dispatcher::handlerSeconds);
            this.pollLoop = new PollLoop(
                    consumer,
                    dlq,
                    settings,
                    dispatcher,
                    lagMeters,
                    b.groupProtocol == GroupProtocol.CONSUMER
                            ? new EmptyAssignmentProbe(
                                    () -> Admin.create(KafkaOrdoAdmin.connection(b.bootstrapServers, b.overrides)),
                                    settings.group(),
                                    topic)
                            : null,
                    b.state == null ? null : new StateCommits(topic, settings.group(), b.state, dispatcher),
                    "ordo-kafka-poll-" + client + "-" + topic,
                    this::settled,
                    this::failed);
            if (settings.registry() != null) {
                bindMetrics(tags);
            }
        } catch (RuntimeException e) {
            if (consumer != null) {
                consumer.close(Duration.ZERO);
            }
            if (dlq != null) {
                dlq.close(Duration.ZERO);
            }
            dispatcher.close(Duration.ZERO); // its handler threads started with it
            throw e;
        }
        this.deadLetters = dlq;
    }

    /** A consumer of raw bytes: keys and values as they are in Kafka. */
    public static Builder<byte[], byte[]> builder(String bootstrapServers, String topic) {
        return new Builder<>(bootstrapServers, topic, Serdes.bytes(), Serdes.bytes());
    }

    /**
     * A consumer whose handler gets keys and values through these deserializers
     * ({@link KafkaSerdes} wraps Kafka's).
     */
    public static <K, V> Builder<K, V> builder(
            String bootstrapServers, String topic, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(bootstrapServers, topic, keyDeserializer, valueDeserializer);
    }

    /** Fence waits and backpressure pauses, besides every consumer's meters. */
    private void bindMetrics(Tags tags) {
        FunctionCounter.builder("ordo.consumer.fence.waits", this, KafkaOrdoConsumer::fenceWaits)
                .tags(tags)
                .description("times a partition waited for an earlier partition after the topic grew")
                .register(settings.registry());
        Gauge.builder("ordo.consumer.paused", this, c -> c.paused() ? 1 : 0)
                .tags(tags)
                .description("1 while the partitions are paused for backpressure")
                .register(settings.registry());
        ConsumerMeters.bind(
                settings.registry(),
                dispatcher,
                "consumer-"
                        + tags.stream()
                                .filter(t -> t.getKey().equals("client"))
                                .findFirst()
                                .orElseThrow()
                                .getValue(),
                tags);
    }

    @Override
    public Set<Integer> assignment() {
        return pollLoop.assignment();
    }

    @Override
    protected Map<Integer, String> fenceHolds() {
        return pollLoop.fenceHolds();
    }

    @Override
    public Lag lag() {
        return dispatcher.lag(pollLoop::endOffset);
    }

    /** As the last fetch said (no request to the broker). */
    @Override
    protected long endOffset(int partition) {
        return pollLoop.endOffset(partition);
    }

    @Override
    protected void refreshLag() {
        pollLoop.requestEnds();
    }

    @Override
    protected boolean lagCurrentSince(long nanos) {
        return pollLoop.endsKnownSince(nanos);
    }

    /**
     * The offset committed for {@code partition} by this consumer (into its {@link Builder#committedState state}
     * if it has one), or -1 if it has committed none.
     */
    public long committedOffset(int partition) {
        return pollLoop.committedOffset(partition);
    }

    /** The metadata of this consumer's last commit of {@code partition} (tests read the completed offsets in it). */
    String committedMetadata(int partition) {
        return pollLoop.commits().committedMetadata(partition);
    }

    /**
     * Records that found their partition held because their key had moved there when the topic grew
     * and its earlier records in the old partition were not all handled yet ({@link PartitionFence}).
     */
    public long fenceWaits() {
        return pollLoop.fenceWaits();
    }

    /** Whether the consumer has paused its partitions for backpressure right now. */
    public boolean paused() {
        return pollLoop.paused();
    }

    /**
     * For tests: stops as a crash would: handlers already running finish, queued records are not
     * handled, nothing more is committed (also not on the way out of the group). Unlike a killed
     * process it leaves the group at once rather than after {@code session.timeout.ms}.
     */
    void crashForTest() {
        pollLoop.crash();
        dispatcher.stopHandling();
        close();
    }

    /** Stops polling, lets in-flight records finish (at most {@code timeout}), commits and leaves the group. */
    @Override
    protected void shutdown(Duration timeout) {
        try {
            pollLoop.stop(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failure().ifPresent(failed -> LOG.warn("consumer of {} had stopped after an error", topic, failed));
    }

    private static Properties producerProperties(Builder<?, ?> b) {
        Properties props = KafkaOrdoAdmin.connection(b.bootstrapServers, b.overrides);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /**
     * Copies a record that failed every attempt to the dead-letter topic and waits for the broker's
     * acknowledgement.
     */
    @Override
    protected void sendDeadLetter(String deadLetterTopic, byte[] key, byte[] value, Headers headers) throws Exception {
        ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(deadLetterTopic, key, value);
        for (Header h : headers) {
            copy.headers().add(h.key(), h.value());
        }
        deadLetters.send(copy).get(1, TimeUnit.MINUTES);
    }

    private KafkaOrdoConsumer<K, V> startPolling() {
        pollLoop.start();
        return this;
    }

    /**
     * Configures a {@link KafkaOrdoConsumer}: the settings shared with the embedded engine's consumer
     * ({@link ConsumerBuilder}; group and handler required) and Kafka client properties.
     */
    public static final class Builder<K, V> extends ConsumerBuilder<Builder<K, V>, K, V> {
        private final String bootstrapServers;
        private final Properties overrides = new Properties();
        private GroupProtocol groupProtocol = GroupProtocol.CLASSIC;
        private CommittedState state;

        private Builder(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values) {
            super(topic, keys, values);
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        }

        @Override
        protected Builder<K, V> self() {
            return this;
        }

        /**
         * The consumer group protocol: {@link GroupProtocol#CLASSIC} (the default, as for Kafka's own
         * client; the cooperative-sticky assignor, any broker) or {@link GroupProtocol#CONSUMER} (KIP-848:
         * the broker assigns partitions and rebalances without stopping the group; brokers 4.0 and later
         * with the {@code group.version} feature on). Ordering, drains and commits are the same under both.
         */
        public Builder<K, V> groupProtocol(GroupProtocol protocol) {
            this.groupProtocol = Objects.requireNonNull(protocol, "groupProtocol must not be null");
            return this;
        }

        /**
         * Commits the offsets together with an application state, in one atomic step, instead of to the
         * group (exactly-once effects on the state; see {@link CommittedState}). The consumer then reads every
         * partition the topic has when it starts, on its own ({@code assign}, not as a member of the group:
         * the state is one consumer's, so start one per state), from the offsets the state restores, the
         * partition's start where it has none; it commits at moments no handler runs. A partition added
         * later is read after a restart.
         */
        public Builder<K, V> committedState(CommittedState state) {
            this.state = Objects.requireNonNull(state, "state must not be null");
            return this;
        }

        /**
         * Any other Kafka consumer setting (auto-commit and the assignor are Ordo's and cannot be changed;
         * {@code group.protocol} is taken as {@link #groupProtocol}).
         */
        public Builder<K, V> property(String name, String value) {
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(value, "value must not be null");
            if (name.equals(ConsumerConfig.GROUP_PROTOCOL_CONFIG)) {
                try {
                    return groupProtocol(GroupProtocol.of(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "group.protocol must be classic or consumer, was '" + value + "'", e);
                }
            }
            overrides.put(name, value);
            return this;
        }

        /** Kafka consumer settings, as {@link #property} one by one. */
        public Builder<K, V> properties(Map<?, ?> properties) {
            Objects.requireNonNull(properties, "properties must not be null")
                    .forEach((name, value) -> property(String.valueOf(name), String.valueOf(value)));
            return this;
        }

        /**
         * Creates the consumer, joins the group and starts polling. With {@link Ordering#TOTAL} it first reads
         * the topic's partition count: the partitions it merges.
         *
         * @throws IllegalArgumentException if the dead-letter topic does not exist (and is not to be created)
         */
        @Override
        public KafkaOrdoConsumer<K, V> start() {
            ConsumerSettings<K, V> settings = settings();
            int partitions = 0;
            if (settings.ordering() == Ordering.TOTAL) {
                try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrapServers, overrides)) {
                    partitions = admin.partitions(settings.topic());
                }
            }
            String dlq = settings.deadLetterTopic();
            if (dlq != null) {
                try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrapServers, overrides)) {
                    if (!admin.exists(dlq)) {
                        if (!settings.createDeadLetterTopic()) {
                            throw new IllegalArgumentException("deadLetter topic '" + dlq + "' does not exist; create"
                                    + " it, or use deadLetter(topic, true) to have the consumer create it");
                        }
                        admin.createTopic(dlq, 1, (short) -1);
                    }
                }
            }
            String client = overrides.getProperty(
                    ConsumerConfig.CLIENT_ID_CONFIG, "ordo-" + settings.group() + "-" + CLIENTS.incrementAndGet());
            return new KafkaOrdoConsumer<>(this, settings, client, partitions).startPolling();
        }
    }
}
