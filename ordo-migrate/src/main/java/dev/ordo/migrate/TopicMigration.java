package dev.ordo.migrate;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.log.engine.EmbeddedLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a live topic between engines, keeping each key's order, with its producers and consumers running:
 * from the embedded engine to Kafka ({@link #fromEmbedded}), from Kafka to a new Kafka topic of any
 * partition count ({@link #fromKafka}), or from Kafka to the embedded engine, to debug a production topic
 * on one machine ({@link Builder#toEmbedded}). {@link Builder#start} copies the backlog in the background
 * (resuming a migration cut short, wherever it stopped); {@link #switchOver} is the fence: the migration's
 * producers pause, the source topic is sealed (later appends fail; Kafka cannot seal a topic), its tail is
 * copied, and the producers go on to the target, their records behind every copied one; {@link #handOver}
 * moves a consumer group once it has handled the source to its end, so no record sent after the switch is
 * handled before the old tail; {@link #moveGroups} moves the groups that were not running.
 *
 * <pre>{@code
 * try (TopicMigration migration = TopicMigration.fromEmbedded(log, "ledger").toKafka("kafka:9092").start()) {
 *     RecordProducer<String, Txn> producer = migration.producer(Serdes.string(), txnSerde);
 *     RecordConsumer balances = OrdoConsumer.builder(log, "ledger", ...).group("balances")...start();
 *     migration.awaitCopied(Duration.ofMinutes(10));        // backlog copied, the copy follows the tail
 *     migration.switchOver();                                // producers now send to Kafka
 *     List<RecordConsumer> onKafka = migration.handOver("balances", List.of(balances),
 *             () -> KafkaOrdoConsumer.builder("kafka:9092", "ledger", ...).group("balances")...,
 *             Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * <p>Every step of the copy is stored with the migration's state: into Kafka as one transaction (state in
 * topic {@value MigrationStore#TOPIC}; read the target with {@code read_committed}, as Ordo's Kafka consumer
 * does, so that a step cut short by a crash is never seen), into the embedded engine as appends followed by
 * a state file that the next run completes ({@link EmbeddedWriter}). Effects stay exactly once for groups
 * moved by {@link #handOver}; a group moved while behind ({@link #moveGroups}) may see records it had
 * handled again. A group that commits with an application state ({@link CommittedState}) moves with it
 * ({@link #handOver(String, List, CommittedState, Supplier, Duration)}), exactly once.
 */
public final class TopicMigration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicMigration.class);

    /** Records left to copy at which the switch pauses the producers: the pause copies about this many. */
    private static final long CLOSE_ENOUGH = 500;

    /** Where the switch happened: the source's final ends and the target's ends then, per partition. */
    public record Fence(List<Long> sourceEnds, List<Long> targetEnds) {}

    private final MigrationSource source;
    private final String sourceTopic;
    private final MigrationTarget target;
    private final Copier copier;

    private final GroupMoves moves;
    private final GroupHandOver handOvers;
    private final List<SwitchingProducer<?, ?>> producers = new CopyOnWriteArrayList<>();
    private final BackgroundCopy copying;
    private volatile Duration lastPause = Duration.ZERO;

    private TopicMigration(
            String id, String sourceTopic, MigrationSource source, MigrationTarget target, Copier copier) {
        this.source = source;
        this.sourceTopic = sourceTopic;
        this.target = target;
        this.copier = copier;
        this.moves = new GroupMoves(source, target);
        this.handOvers = new GroupHandOver(source, target, moves, copier);
        this.copying = new BackgroundCopy(copier, id);
    }

    /** A migration of {@code topic} of the open embedded engine {@code log}; say where to with the builder. */
    public static Builder fromEmbedded(EmbeddedLog log, String topic) {
        Objects.requireNonNull(log, "log must not be null");
        Objects.requireNonNull(topic, "topic must not be null");
        EmbeddedSource source = new EmbeddedSource(log, topic); // fails now if the topic does not exist
        return new Builder("embedded", topic, null, client -> source);
    }

    /**
     * A migration of Kafka topic {@code topic}: a re-partitioning into a new topic ({@link Builder#targetTopic},
     * required) of any partition count, on the same cluster unless {@link Builder#toKafka} says otherwise, or a
     * copy into the embedded engine ({@link Builder#toEmbedded}). Kafka cannot close a topic to producers: at
     * the switch only the migration's producers ({@link #producer}) move, so stop the others first.
     */
    public static Builder fromKafka(String bootstrapServers, String topic) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        Objects.requireNonNull(topic, "topic must not be null");
        return new Builder("kafka", topic, bootstrapServers, client -> {
            Properties source = new Properties();
            source.putAll(client);
            source.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            return new KafkaSource(source, topic);
        });
    }

    /** Whether producers send to the target now. */
    public boolean switched() {
        return copier.state().phase() == MigrationState.Phase.SWITCHED;
    }

    /** Records of the source not copied yet (0 once switched). */
    public long lag() {
        MigrationState state = copier.state();
        long lag = 0;
        for (int p = 0; p < source.layout().existing(); p++) {
            lag += Math.max(0, source.endOffset(p) - Math.max(state.next(p), source.startOffset(p)));
        }
        return lag;
    }

    /** Why the background copy stopped, if it failed (then {@link #switchOver} retries it). */
    public Throwable failure() {
        return copying.failure();
    }

    /**
     * Waits until the copy has come within one step of the source's end.
     *
     * @return false if {@code timeout} passed first or the copy failed ({@link #failure})
     */
    public boolean awaitCopied(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lag() > copier.stepRecords && failure() == null) {
            if (System.nanoTime() > deadline || copying.stoppedWithin(20)) {
                return false;
            }
        }
        return failure() == null;
    }

    /**
     * A producer of the topic that sends to the source until the switch and to the target after it (with the
     * same serializers); to the target at once if the switch is past. Made during a switch, it waits for its
     * end.
     */
    public synchronized <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values) {
        Supplier<RecordProducer<K, V>> onTarget = () -> target.producer(keys, values);
        if (switched()) {
            return onTarget.get();
        }
        SwitchingProducer<K, V> producer = new SwitchingProducer<>(source.producer(keys, values), onTarget);
        producers.add(producer);
        return producer;
    }

    /**
     * The switch, with the migration's producers running: pauses them, seals the source, copies its tail,
     * records the fence and lets the producers go on to the target. The pause lasts about the copy of what was
     * appended since the last step. Idempotent: a switch past returns its fence.
     *
     * @throws IllegalStateException if the copy fails; the producers then resume, and if the source was
     *     sealed their sends fail until a later call completes the switch
     */
    public synchronized Fence switchOver() throws IOException {
        if (!switched()) {
            copying.stop();
            for (int steps = 0; steps < 20 && lag() > CLOSE_ENOUGH; steps++) {
                copier.step(); // close to the end before pausing anyone: the pause then copies little
            }
            moves.prepare(source.committedOffsets().keySet()); // before anyone waits for the hand-over
            for (SwitchingProducer<?, ?> producer : producers) {
                producer.prepare();
            }
            long pausedAt = System.nanoTime();
            for (SwitchingProducer<?, ?> producer : producers) {
                producer.pause();
            }
            boolean done = false;
            try {
                finishSwitch(source.seal("moved to " + target.describe()));
                done = true;
            } finally {
                for (SwitchingProducer<?, ?> producer : producers) {
                    if (done) {
                        producer.switchToTarget();
                    } else {
                        producer.resume();
                    }
                }
            }
            lastPause = Duration.ofNanos(System.nanoTime() - pausedAt);
            LOG.info(
                    "topic '{}' switched to {}: producers paused {} ms; fence {}",
                    sourceTopic,
                    target.describe(),
                    lastPause.toMillis(),
                    copier.state());
        }
        return fence();
    }

    /**
     * Moves consumer group {@code group} to the target: starts as many members there as {@code members}
     * (on the source) has, with {@code onTarget}'s builders, {@linkplain ConsumerBuilder#paused() paused}
     * at the fence; waits until the old members have handled the source to the fence and closes them; then
     * resumes the new ones. Joining the target's group happens while the old members finish, so a key waits
     * about the old tail and a resume across the switch. A group not running (no {@code members}) or moved
     * before is moved as {@link #moveGroups} moves it, and {@code members.size()} members are started. A
     * Kafka topic re-partitioned on its own cluster has one group for both topics: there the old members
     * close before the new ones start, and a key waits for the new members' join too.
     *
     * <pre>{@code
     * List<RecordConsumer> onKafka = migration.handOver("balances", List.of(balances),
     *         () -> KafkaOrdoConsumer.builder(bootstrap, "ledger", keys, values).group("balances").handler(h),
     *         Duration.ofMinutes(1));
     * }</pre>
     *
     * @param onTarget a new builder of a consumer of the target for each call, the group and handler set
     * @return the members started on the target
     * @throws IllegalStateException if the members did not reach the end within {@code timeout} (a parked
     *     key, say, or a partition that no member given owns; they are then left running, and the members
     *     started on the target are closed having handled nothing) or the switch is not past
     */
    public List<RecordConsumer> handOver(
            String group,
            List<? extends RecordConsumer> members,
            Supplier<? extends ConsumerBuilder<?, ?, ?>> onTarget,
            Duration timeout)
            throws IOException, InterruptedException {
        requireSwitched();
        return handOvers.offsets(group, members, onTarget, timeout);
    }

    /**
     * Moves consumer group {@code group}, whose consumer commits its offsets with the application state
     * {@code state} ({@link CommittedState}), to the target: waits until its running {@code members} (on
     * the source; none if it is not running) have handled the source to its fence, closes them (which
     * commits the state), commits the state again with the target's fence as its offsets, and starts one
     * consumer there with {@code onTarget}'s builder, which must use the same state. Each record's effect on
     * the state is then applied exactly once across the move. The state's value is carried as it is: a
     * {@code Resequencer} checkpoint kept in it stays valid, since the copy keeps the producers' sequence
     * headers.
     *
     * <p>The move is recorded: called again (after a restart, say) for a group whose state moved, it only
     * starts the consumer. Call it before starting a consumer with the state on the target.
     *
     * @return the consumer started on the target
     * @throws IllegalStateException if the members or the state did not reach the fence (within {@code
     *     timeout}; the members are then left running), or the switch is not past
     */
    public RecordConsumer handOver(
            String group,
            List<? extends RecordConsumer> members,
            CommittedState state,
            Supplier<? extends ConsumerBuilder<?, ?, ?>> onTarget,
            Duration timeout)
            throws IOException, InterruptedException {
        requireSwitched();
        return handOvers.state(group, members, state, onTarget, timeout);
    }

    /**
     * Moves every consumer group of the source that has no offsets on the target yet (groups not running,
     * or moved by no {@link #handOver}), and those whose hand-over did not end; see the class comment for a
     * group still behind the fence.
     *
     * @return the offsets committed on the target per group moved, by target partition
     */
    public Map<String, Map<Integer, Long>> moveGroups() throws IOException {
        requireSwitched();
        Map<String, Map<Integer, Long>> moved = new TreeMap<>();
        for (String group : source.committedOffsets().keySet()) {
            Map<Integer, Long> positions = handOvers.move(group);
            if (!positions.isEmpty()) {
                moved.put(group, positions);
            }
        }
        return moved;
    }

    /**
     * How long the migration's producers waited at the switch this process made (zero if it made none): from
     * their pause to their first send to the target, about the copy of the tail and the recording of the
     * fence.
     */
    public Duration lastPause() {
        return lastPause;
    }

    /** The fence, once switched. */
    public Fence fence() {
        MigrationState state = requireSwitched();
        return new Fence(list(state.sourceEnds()), list(state.targetEnds()));
    }

    /** Records copied by this run of the migration (not counting those a run cut short had copied). */
    public long copied() {
        return copier.copied();
    }

    /**
     * Offsets of the source this run of the migration found deleted before it could copy them (its
     * retention, or Kafka's {@code deleteRecords}): they are skipped, each range with a WARN line naming
     * the partition and the offsets, as the source's own consumers would have skipped them.
     */
    public long skippedAsDeleted() {
        return copier.skippedAsDeleted();
    }

    /** Stops the background copy and releases the migration's clients; producers stay the caller's. */
    @Override
    public void close() {
        copying.stop();
        copier.close();
        source.close();
        target.close();
    }

    private void finishSwitch(long[] sourceEnds) throws IOException {
        int idle = 0;
        while (!copier.reached(sourceEnds)) {
            idle = copier.step() == 0 ? idle + 1 : 0;
            if (idle > 100) {
                throw new IllegalStateException("the sealed " + source.describe() + " has records below "
                        + list(sourceEnds) + " that cannot be read; copied up to " + copier.state());
            }
        }
        long[] targetEnds = target.ends(copier.state().partitions());
        copier.record(copier.state().switched(sourceEnds, targetEnds));
    }

    private MigrationState requireSwitched() {
        MigrationState state = copier.state();
        if (state.phase() != MigrationState.Phase.SWITCHED) {
            throw new IllegalStateException("topic '" + sourceTopic + "' is not switched to " + target.describe()
                    + " yet; call switchOver() first");
        }
        return state;
    }

    private void begin() throws IOException {
        if (switched()) {
            return;
        }
        if (source.sealed()) { // a switch cut short: no producer can send anywhere until it is finished
            finishSwitch(source.seal("moved to " + target.describe()));
            return;
        }
        copying.start();
    }

    private static List<Long> list(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return List.copyOf(list);
    }

    /** Where a migration goes. */
    public static final class Builder {

        private final String kind;
        private final String topic;
        private final Function<Properties, MigrationSource> source;
        private final String sourceBootstrap;
        private String bootstrap;
        /** The embedded engine to move to, or null for Kafka. */
        private EmbeddedLog targetLog;

        private String target;
        private int partitions;
        private int stepRecords = Copier.STEP_RECORDS;
        private final Properties properties = new Properties();

        private Builder(String kind, String topic, String bootstrap, Function<Properties, MigrationSource> source) {
            this.kind = kind;
            this.topic = topic;
            this.sourceBootstrap = bootstrap;
            this.bootstrap = bootstrap;
            this.source = source;
        }

        /** The Kafka cluster to move to (required from the embedded engine; else the source's cluster). */
        public Builder toKafka(String bootstrapServers) {
            this.bootstrap = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
            this.targetLog = null;
            return this;
        }

        /**
         * Moves a Kafka topic into the open embedded engine {@code log} instead, as a new topic (named as the
         * source unless {@link #targetTopic} says otherwise) that places keys as Kafka does.
         */
        public Builder toEmbedded(EmbeddedLog log) {
            this.targetLog = Objects.requireNonNull(log, "log must not be null");
            return this;
        }

        /** A Kafka client setting (security, timeouts) for every client the migration makes. */
        public Builder kafkaProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** The topic to create and fill (default: the source topic's name). */
        public Builder targetTopic(String name) {
            this.target = Objects.requireNonNull(name, "target topic must not be null");
            return this;
        }

        /** The target's partition count (default: the source's current one), 1 to 10,000. */
        public Builder partitions(int partitions) {
            if (partitions < 1 || partitions > 10_000) {
                throw new IllegalArgumentException("partitions must be in [1, 10000], was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * Records copied per step at most (default 20,000): each step is stored whole or redone, so this
         * bounds what a crash makes the next run copy again and how long a step holds its Kafka transaction.
         */
        public Builder stepRecords(int records) {
            if (records < 1 || records > 1_000_000) {
                throw new IllegalArgumentException("stepRecords must be in [1, 1000000], was " + records);
            }
            this.stepRecords = records;
            return this;
        }

        /**
         * Starts the migration, or resumes the one recorded for this topic and target: creates the target
         * topic if need be, then copies in the background (a switch cut short is finished first, here).
         *
         * @throws IllegalArgumentException if the target exists with another partition count, or exists
         *     though no migration into it is recorded
         * @throws IllegalStateException if no target is given, or it is the source itself
         */
        public TopicMigration start() throws IOException {
            if (kind.equals("embedded") && (bootstrap == null || targetLog != null)) {
                throw new IllegalStateException(
                        "toKafka(bootstrapServers) is required: an embedded topic moves to" + " Kafka");
            }
            if (targetLog == null
                    && kind.equals("kafka")
                    && target().equals(topic)
                    && bootstrap.equals(sourceBootstrap)) {
                throw new IllegalStateException(
                        "targetTopic(name) is required: a Kafka topic moves to another topic of its cluster");
            }
            Properties client = client();
            String id = kind + "/" + topic + ">" + target();
            MigrationSource source = null;
            MigrationTarget target = null;
            Copier copier = null;
            try {
                source = this.source.apply(client);
                target =
                        targetLog != null ? new EmbeddedTarget(targetLog, target()) : new KafkaTarget(client, target());
                Optional<MigrationState> recorded = target.recorded(id);
                MigrationState state = recorded.orElse(
                        MigrationState.start(partitions == 0 ? source.layout().partitions() : partitions));
                copier = new Copier(source, stepRecords, target.writer(id, state), state);
                if (recorded.isEmpty()) {
                    copier.record(state); // recorded first: a crash after creating the target resumes
                }
                target.ensure(state);
                TopicMigration migration = new TopicMigration(id, topic, source, target, copier);
                migration.begin();
                return migration;
            } catch (IOException | RuntimeException e) {
                if (copier != null) {
                    copier.close();
                }
                if (target != null) {
                    target.close();
                }
                if (source != null) {
                    source.close();
                }
                throw e;
            }
        }

        private String target() {
            return target == null ? topic : target;
        }

        private Properties client() {
            Properties client = new Properties();
            client.putAll(properties);
            client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            return client;
        }
    }
}
