package dev.ordo.migrate;

import dev.ordo.engine.Header;
import dev.ordo.log.storage.Record;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a migration's steps into Kafka, each one Kafka transaction holding the step's records and the
 * migration's new state ({@link MigrationStore}): a crash loses a whole step or nothing, and the next
 * writer (its {@code initTransactions} fences this one and aborts its open step) goes on exactly where the
 * state says. Keyed records go where Kafka's own partitioner puts them.
 */
final class TransactionalWriter implements MigrationTarget.Writer {

    private final String id;
    private final String topic;
    private final MigrationStore store;
    private final KafkaProducer<byte[], byte[]> producer;

    TransactionalWriter(Properties client, String id, String topic, MigrationStore store) {
        this.id = id;
        this.topic = topic;
        this.store = store;
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ordo-migrate-" + id);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions(); // fences an earlier writer of this migration and aborts its open step
    }

    @Override
    public void begin() {
        producer.beginTransaction();
    }

    @Override
    public void send(int keyless, Record record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h.key(), h.value());
        }
        Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
        Integer partition = record.key() == null ? keyless : null; // keyed: Kafka's partitioner
        producer.send(new ProducerRecord<>(topic, partition, timestamp, record.key(), record.value(), headers));
    }

    @Override
    public void commit(MigrationState state) {
        try {
            store.write(producer, id, state);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another copier of migration '" + id + "' took over", e);
        }
    }

    @Override
    public void abort(Exception cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e); // the next writer's initTransactions aborts it
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
