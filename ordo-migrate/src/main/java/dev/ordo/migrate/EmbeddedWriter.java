package dev.ordo.migrate;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.Partitioner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes a migration's steps into a topic of the embedded engine, which has no transactions: a step's
 * records are appended and acknowledged first, then the state is stored with the target's ends
 * ({@link MigrationFile}). A crash between the two leaves records beyond the stored ends; the next writer
 * reads them and, as the copy goes over their source records again, skips each one found there. In each
 * partition the records a step appended are a prefix of what it sent there (the log keeps its order and
 * truncates a torn tail), so what is sent again lands behind them in source order: no record twice, none
 * lost, each key's order kept.
 *
 * <p>Steps are as durable as the topic's fsync policy makes them: if a power loss took records the stored
 * ends count, the next writer refuses to go on rather than guess.
 */
final class EmbeddedWriter implements MigrationTarget.Writer {

    private static final int READ_BYTES = 1 << 20;

    private final EmbeddedLog log;
    private final String topic;
    private final String id;
    private final MigrationFile file;
    private final KeylessPlacement placement = new KeylessPlacement();

    /** The target's ends as last stored: records beyond them were appended by a step that did not finish. */
    private long[] stored;
    /** Where in the source the records beyond {@link #stored} came from ("partition/offset"): not sent again. */
    private Set<String> landed;
    /** Made at the first send: the target topic may not exist before. */
    private OrdoProducer<byte[], byte[]> producer;

    private final List<CompletableFuture<Acknowledgement>> sent = new ArrayList<>();

    /**
     * @param stored the target's ends as last stored
     * @param copying whether the copy goes on (before the switch): only then can records beyond {@code stored}
     *     be a step's; after it they are the producers'
     */
    EmbeddedWriter(EmbeddedLog log, String topic, String id, MigrationFile file, long[] stored, boolean copying)
            throws IOException {
        this.log = log;
        this.topic = topic;
        this.id = id;
        this.file = file;
        this.stored = stored;
        this.landed = copying ? landedBeyond(stored) : new HashSet<>();
    }

    @Override
    public void begin() {
        sent.clear();
    }

    @Override
    public void send(int keyless, Record record) {
        if (!landed.isEmpty() && landed.remove(from(record))) {
            return; // a step cut short appended it
        }
        if (producer == null) {
            producer = OrdoProducer.builder(log, topic)
                    .name(producerName())
                    .partitioner(placement)
                    .build();
        }
        placement.keyless = keyless;
        long timestamp = record.timestamp() >= 0 ? record.timestamp() : OutgoingRecord.NO_TIMESTAMP;
        sent.add(producer.send(
                new OutgoingRecord<>(record.key(), record.value(), Headers.of(record.headers()), timestamp)));
    }

    @Override
    public void commit(MigrationState state) throws IOException {
        if (producer != null) {
            producer.flush();
        }
        for (CompletableFuture<Acknowledgement> ack : sent) {
            try {
                ack.join();
            } catch (CompletionException e) {
                throw new IOException(
                        "could not append a copied record to embedded topic '" + topic + "'", e.getCause());
            }
        }
        sent.clear();
        long[] ends = ends(state.partitions());
        file.write(id, state, ends);
        stored = ends;
    }

    /**
     * Appended records cannot be taken back: the producer is dropped (an idempotent producer fails every
     * send after a failed one) and the records the step appended count as landed.
     */
    @Override
    public void abort(Exception cause) {
        sent.clear();
        try {
            if (producer != null) {
                producer.close();
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        producer = null;
        try {
            landed = landedBeyond(stored);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close();
        }
    }

    /** The source positions of the copied records beyond {@code ends}. */
    private Set<String> landedBeyond(long[] ends) throws IOException {
        Set<String> beyond = new HashSet<>();
        if (!log.listTopics().contains(topic)) {
            return beyond; // a migration that has not made its target yet
        }
        for (int q = 0; q < log.layout(topic).partitions(); q++) {
            long from = q < ends.length ? ends[q] : 0;
            long end = log.endOffset(topic, q);
            if (end < from) {
                throw new IllegalStateException("embedded topic '" + topic + "' partition " + q + " ends at " + end
                        + ", below the " + from + " the migration stored (" + file + "): records it copied were lost"
                        + " (a power loss before they were forced); delete the topic and that file to copy again");
            }
            while (from < end) {
                List<Record> records = log.read(topic, q, from, READ_BYTES);
                if (records.isEmpty()) {
                    break;
                }
                for (Record r : records) {
                    String source = from(r);
                    if (source != null) {
                        beyond.add(source);
                    }
                }
                from = records.get(records.size() - 1).offset() + 1;
            }
        }
        return beyond;
    }

    private long[] ends(int partitions) {
        long[] ends = new long[partitions];
        if (log.listTopics().contains(topic)) {
            for (int q = 0; q < partitions; q++) {
                ends[q] = log.endOffset(topic, q);
            }
        }
        return ends;
    }

    /** The record's source position as a set of landed records holds it, or null for one not copied. */
    private static String from(Record record) {
        long[] source = Copier.source(record);
        return source == null ? null : source[0] + "/" + source[1];
    }

    /** One name per target topic: a second migration into it fences the first one's producer. */
    private String producerName() {
        String name = "ordo-migrate-" + topic;
        return name.length() <= 200 ? name : name.substring(0, 180) + "-" + Integer.toHexString(topic.hashCode());
    }

    /**
     * Keys where Kafka's default partitioner puts them (the target's placement), keyless records where the
     * copy says. Called on the copying thread only, inside {@code send}.
     */
    private static final class KeylessPlacement implements Partitioner {
        private final Partitioner keyed = Partitioner.kafkaDefault();
        private int keyless;

        @Override
        public int partition(byte[] key, int partitionCount) {
            return key == null ? keyless % partitionCount : keyed.partition(key, partitionCount);
        }
    }
}
