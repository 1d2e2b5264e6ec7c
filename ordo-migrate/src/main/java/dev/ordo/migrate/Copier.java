package dev.ordo.migrate;

import dev.ordo.engine.Header;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies a source topic's records to the target topic in steps, each one Kafka transaction that also
 * holds the migration's new {@link MigrationState}: a crash anywhere loses a whole step or nothing, and
 * the next copier (its {@code initTransactions} fences this one and aborts its open step) goes on exactly
 * where the state says.
 *
 * <p>Order: a key's records go to the partition Kafka's own partitioner gives the key (null keys: source
 * partition modulo the target's count), so producers sending to Kafka after the switch follow them. The
 * source's layouts are copied oldest first, and a layout only once every record of the earlier ones is
 * copied: within one layout a key lives in one partition, so each key's records reach the target in the
 * order its consumers would have handled them. Each copied record keeps its key, value, headers and
 * timestamp and gains {@value #FROM_HEADER} ({@code partition/offset} in the source).
 */
final class Copier implements AutoCloseable {

    /** The header naming where a copied record came from: {@code "<partition>/<offset>"}. */
    static final String FROM_HEADER = "ordo.migrated.from";

    private static final int READ_BYTES = 1 << 20;
    /** Records per step at most, by default: a step is one transaction, redone whole after a crash. */
    static final int STEP_RECORDS = 20_000;

    private final MigrationSource source;
    /** Records per step at most. */
    final int stepRecords;

    private final String id;
    private final String target;
    private final MigrationStore store;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Written by the copying thread, read by any (lag, phase). */
    private volatile MigrationState state;

    private volatile long copied;

    Copier(
            MigrationSource source,
            int stepRecords,
            String id,
            String target,
            MigrationStore store,
            Properties client,
            MigrationState state) {
        this.source = source;
        this.stepRecords = stepRecords;
        this.id = id;
        this.target = target;
        this.store = store;
        this.state = state;
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ordo-migrate-" + id);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions(); // fences an earlier copier of this migration and aborts its open step
    }

    /** The state as last committed. */
    MigrationState state() {
        return state;
    }

    /** Records copied by this copier so far. */
    long copied() {
        return copied;
    }

    /**
     * Copies one step, at most {@link #stepRecords} records, and commits it with the new state;
     * returns how many records it copied (0: nothing was left to copy when it looked).
     */
    int step() throws IOException {
        TopicLayout layout = source.layout();
        long[] next = Arrays.copyOf(state.next(), layout.existing());
        List<TopicLayout.Layout> layouts = layout.layouts();
        int count = 0;
        beginStep();
        try {
            for (int j = 0; j < layouts.size() && count < stepRecords; j++) {
                TopicLayout.Layout current = layouts.get(j);
                boolean finished = true;
                for (int p = 0; p < current.partitions(); p++) {
                    long end = j == layouts.size() - 1
                            ? source.endOffset(p)
                            : layouts.get(j + 1).start(p);
                    count += copyRange(p, next, end, stepRecords - count);
                    finished &= next[p] >= end;
                }
                if (!finished) {
                    break; // the next layout's records wait until this one's are all copied
                }
            }
            MigrationState stepped = state.copied(next);
            store.write(producer, id, stepped);
            producer.commitTransaction();
            state = stepped;
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another copier of migration '" + id + "' took over", e);
        } catch (IOException | RuntimeException e) {
            abortQuietly(e);
            throw e;
        }
        copied += count;
        return count;
    }

    /** Whether every record below {@code ends} (per source partition) is copied. */
    boolean reached(long[] ends) {
        for (int p = 0; p < ends.length; p++) {
            if (Math.max(state.next(p), source.startOffset(p)) < ends[p]) {
                return false;
            }
        }
        return true;
    }

    /** Commits {@code next} as the migration's state in a step of its own (no records). */
    void record(MigrationState next) {
        beginStep();
        try {
            store.write(producer, id, next);
            producer.commitTransaction();
            state = next;
        } catch (KafkaException e) {
            abortQuietly(e);
            throw e;
        }
    }

    private void beginStep() {
        producer.beginTransaction();
    }

    /** Copies partition {@code p} from {@code next[p]} to {@code end}, at most {@code budget} records. */
    private int copyRange(int p, long[] next, long end, int budget) throws IOException {
        next[p] = Math.max(next[p], source.startOffset(p)); // retention may have deleted the oldest
        int count = 0;
        while (count < budget && next[p] < end) {
            MigrationSource.Batch batch = source.read(p, next[p], READ_BYTES);
            if (batch.records().isEmpty()) {
                next[p] = Math.max(next[p], Math.min(batch.next(), end)); // past offsets holding no record
                return count;
            }
            for (Record record : batch.records()) {
                if (record.offset() >= end || count == budget) {
                    return count;
                }
                send(p, record);
                next[p] = record.offset() + 1;
                count++;
            }
        }
        return count;
    }

    private void send(int p, Record record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h.key(), h.value());
        }
        headers.add(FROM_HEADER, (p + "/" + record.offset()).getBytes(StandardCharsets.US_ASCII));
        Integer partition = record.key() == null ? p % state.partitions() : null; // keyed: Kafka's partitioner
        Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
        producer.send(new ProducerRecord<>(target, partition, timestamp, record.key(), record.value(), headers));
    }

    private void abortQuietly(Exception cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e); // the next copier's initTransactions aborts it
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Parses a {@value #FROM_HEADER} value: {@code {partition, offset}}. */
    static long[] from(byte[] header) {
        String text = new String(header, StandardCharsets.US_ASCII);
        int slash = text.indexOf('/');
        return new long[] {Long.parseLong(text.substring(0, slash)), Long.parseLong(text.substring(slash + 1))};
    }
}
