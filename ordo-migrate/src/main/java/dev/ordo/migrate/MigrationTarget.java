package dev.ordo.migrate;

import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The topic a migration fills, as the copy and the hand-over see it: a Kafka topic ({@link KafkaTarget}) or
 * a topic of the embedded engine ({@link EmbeddedTarget}). It keeps the migration's {@link MigrationState}
 * beside the records it copied, so that a run cut short resumes where they end.
 */
interface MigrationTarget extends AutoCloseable {

    /**
     * Writes the copy's records and the migration's state in steps: {@link #begin}, {@link #send} each
     * record, {@link #commit} the state that counts them. A step cut short by a crash is, on resume,
     * neither lost nor written twice.
     */
    interface Writer extends AutoCloseable {

        /** Opens a step. */
        void begin();

        /**
         * Adds one copied record to the step: to the partition the target's partitioner gives its key, where
         * producers will send the key after the switch; a record without a key to {@code keyless}.
         */
        void send(int keyless, Record record);

        /** Ends the step: its records and {@code state} are the target's from here on, together. */
        void commit(MigrationState state) throws IOException;

        /** Drops the step (as far as the target can: see the implementations); {@code cause} gains what failed. */
        void abort(Exception cause);

        @Override
        void close();
    }

    /** Says what the target is, for messages: {@code "Kafka topic 'ledger' at kafka-1:9092"}. */
    String describe();

    /** Where the topic's consumer groups live, as {@link MigrationSource#groupHome()} says it. */
    String groupHome();

    /**
     * The recorded state of migration {@code id}, or none for a new one; for a new one, refuses a target
     * topic that exists already.
     *
     * @throws IllegalArgumentException if the target exists though no migration into it is recorded
     */
    Optional<MigrationState> recorded(String id) throws IOException;

    /** Creates the target topic with the partitions of {@code state} unless it exists; refuses another count. */
    void ensure(MigrationState state) throws IOException;

    /** The writer of migration {@code id}, which fences any earlier writer of it; starts from {@code state}. */
    Writer writer(String id, MigrationState state) throws IOException;

    /** The end offset of each of the target's {@code partitions} partitions. */
    long[] ends(int partitions);

    /** A producer of the target topic. */
    <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values);

    /** The offsets {@code group} committed on the target topic, empty if none. */
    Map<Integer, Long> committedOffsets(String group) throws IOException;

    /**
     * Sets {@code group}'s committed offsets on the target topic.
     *
     * @throws IllegalStateException if the group has members on the target
     */
    void commitOffsets(String group, Map<Integer, Long> offsets) throws IOException;

    /** A reader of the target topic (closed by the caller). */
    MigrationSource reader();

    /** Releases what the target holds (not the engine it writes to). */
    @Override
    void close();
}
