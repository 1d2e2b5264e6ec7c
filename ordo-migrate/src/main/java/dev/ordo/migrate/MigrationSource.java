package dev.ordo.migrate;

import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The topic a migration copies from, as the copy sees it. */
interface MigrationSource extends AutoCloseable {

    /**
     * Records read from one partition, and the offset to read from next: past the last record, and past
     * offsets that hold no record (a Kafka transaction's markers).
     */
    record Batch(List<Record> records, long next) {}

    /** Says what the source is, for messages: {@code "embedded topic 'ledger' in /data"}. */
    String describe();

    /**
     * Where the topic's consumer groups live: a Kafka cluster's id, or the embedded engine's directory. A
     * target with the same home shares the groups (a group's members of both are members of one group).
     */
    String groupHome();

    /** The partition layouts the topic has had, the current one last. */
    TopicLayout layout();

    /** The first offset still held by partition {@code p}. */
    long startOffset(int p);

    /** The offset after the last record of partition {@code p}. */
    long endOffset(int p);

    /** Records of partition {@code p} from {@code from} on, at most about {@code maxBytes}. */
    Batch read(int p, long from, int maxBytes) throws IOException;

    /** A producer of the topic on its own engine. */
    <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values);

    /** Closes the topic to appends for good; returns each partition's final end. Idempotent. */
    long[] seal(String reason) throws IOException;

    /** Whether the topic is sealed. */
    boolean sealed();

    /** The committed offsets of the topic's consumer groups, by group, then partition. */
    Map<String, Map<Integer, Long>> committedOffsets() throws IOException;

    /** Releases what the source holds (not the engine it reads). */
    @Override
    void close();
}
