package dev.ordo.migrate;

import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A topic of an open {@link EmbeddedLog} as a migration's source. */
final class EmbeddedSource implements MigrationSource {

    private final EmbeddedLog log;
    private final String topic;

    EmbeddedSource(EmbeddedLog log, String topic) {
        this.log = log;
        this.topic = topic;
        log.layout(topic); // fails now, naming the existing topics, if it does not exist
    }

    @Override
    public String groupHome() {
        return "embedded:" + log.root().toAbsolutePath();
    }

    @Override
    public String describe() {
        return "embedded topic '" + topic + "' in " + log.root();
    }

    @Override
    public TopicLayout layout() {
        return log.layout(topic);
    }

    @Override
    public long startOffset(int p) {
        return log.startOffset(topic, p);
    }

    @Override
    public long endOffset(int p) {
        return log.endOffset(topic, p);
    }

    @Override
    public Batch read(int p, long from, int maxBytes) throws IOException {
        List<Record> records = log.read(topic, p, from, maxBytes);
        return new Batch(
                records,
                records.isEmpty() ? from : records.get(records.size() - 1).offset() + 1);
    }

    @Override
    public <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values) {
        return OrdoProducer.builder(log, topic, keys, values).build();
    }

    @Override
    public void close() {
        // the engine is the application's
    }

    @Override
    public long[] seal(String reason) throws IOException {
        return log.seal(topic, reason);
    }

    @Override
    public boolean sealed() {
        return log.sealed(topic).isPresent();
    }

    @Override
    public Map<String, Map<Integer, Long>> committedOffsets() throws IOException {
        return log.committedOffsets(topic);
    }
}
