package dev.ordo.migrate;

import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * A topic of an open {@link EmbeddedLog} as a migration's target (a Kafka topic brought to a machine, to
 * debug it locally). Created with Kafka's placement of keys, so each key lands where it did on a Kafka
 * topic of the same count. The migration's state is a file in the data directory ({@link MigrationFile}).
 */
final class EmbeddedTarget implements MigrationTarget {

    private final EmbeddedLog log;
    private final String topic;
    private final MigrationFile file;

    EmbeddedTarget(EmbeddedLog log, String topic) {
        this.log = log;
        this.topic = topic;
        this.file = new MigrationFile(log.root(), topic);
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
    public Optional<MigrationState> recorded(String id) throws IOException {
        Optional<MigrationFile.Entry> entry = file.read();
        if (entry.isPresent() && !entry.get().id().equals(id)) {
            throw new IllegalArgumentException(describe() + " is the target of migration '"
                    + entry.get().id() + "' (" + file + "), not of '" + id + "'; choose another target topic");
        }
        if (entry.isEmpty() && log.listTopics().contains(topic)) {
            throw new IllegalArgumentException(describe() + " already exists and no migration into it is recorded;"
                    + " delete it or choose another target topic");
        }
        return entry.map(MigrationFile.Entry::state);
    }

    @Override
    public void ensure(MigrationState state) throws IOException {
        if (!log.listTopics().contains(topic)) {
            log.createTopic(topic, TopicSpec.partitions(state.partitions()));
        } else if (log.layout(topic).partitions() != state.partitions()) {
            throw new IllegalArgumentException(describe() + " has "
                    + log.layout(topic).partitions() + " partitions, the migration into it " + state.partitions());
        }
    }

    @Override
    public Writer writer(String id, MigrationState state) throws IOException {
        long[] written = file.read().map(MigrationFile.Entry::written).orElse(new long[0]);
        boolean copying = state.phase() == MigrationState.Phase.COPYING; // after the switch producers append too
        return new EmbeddedWriter(log, topic, id, file, written, copying);
    }

    @Override
    public long[] ends(int partitions) {
        long[] ends = new long[partitions];
        for (int q = 0; q < partitions; q++) {
            ends[q] = log.endOffset(topic, q);
        }
        return ends;
    }

    @Override
    public <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values) {
        return OrdoProducer.builder(log, topic, keys, values).build();
    }

    @Override
    public Map<Integer, Long> committedOffsets(String group) throws IOException {
        return log.committedOffsets(topic).getOrDefault(group, Map.of());
    }

    @Override
    public void commitOffsets(String group, Map<Integer, Long> offsets) throws IOException {
        log.alterGroupOffsets(topic, group, offsets);
    }

    @Override
    public MigrationSource reader() {
        return new EmbeddedSource(log, topic);
    }

    @Override
    public void close() {
        // the engine is the application's
    }
}
