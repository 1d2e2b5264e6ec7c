package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoProducer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka topic as a migration's target: made once, checked on every resume. Its state lives in the
 * compacted topic {@value MigrationStore#TOPIC}, written in the same transaction as each step's records
 * ({@link TransactionalWriter}).
 */
final class KafkaTarget implements MigrationTarget {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties client;
    private final String topic;
    private final MigrationStore store;
    /** Reads ends and moves offsets without connecting at the switch. */
    private final Admin admin;

    KafkaTarget(Properties client, String topic) {
        this.client = client;
        this.topic = topic;
        this.store = new MigrationStore(client);
        this.admin = Admin.create(client);
    }

    @Override
    public String describe() {
        return "Kafka topic '" + topic + "' at " + bootstrap();
    }

    @Override
    public Optional<MigrationState> recorded(String id) throws IOException {
        store.create(admin);
        Optional<MigrationState> state = store.read(id);
        if (state.isEmpty()) {
            try (KafkaOrdoAdmin ordoAdmin = KafkaOrdoAdmin.create(bootstrap(), client)) {
                if (ordoAdmin.exists(topic)) {
                    throw new IllegalArgumentException("Kafka topic '" + topic + "' already exists and no migration"
                            + " into it is recorded; delete it or choose another target topic");
                }
            }
        }
        return state;
    }

    @Override
    public void ensure(MigrationState state) {
        try (KafkaOrdoAdmin ordoAdmin = KafkaOrdoAdmin.create(bootstrap(), client)) {
            if (!ordoAdmin.exists(topic)) {
                ordoAdmin.createTopic(topic, state.partitions(), (short) -1);
            } else if (ordoAdmin.partitions(topic) != state.partitions()) {
                throw new IllegalArgumentException("Kafka topic '" + topic + "' has " + ordoAdmin.partitions(topic)
                        + " partitions, the migration into it " + state.partitions());
            }
        }
    }

    @Override
    public Writer writer(String id, MigrationState state) {
        return new TransactionalWriter(client, id, topic, store);
    }

    @Override
    public long[] ends(int partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int q = 0; q < partitions; q++) {
            latest.put(new TopicPartition(topic, q), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                await(admin.listOffsets(latest).all(), "read the end offsets of " + describe());
        long[] offsets = new long[partitions];
        for (int q = 0; q < partitions; q++) {
            offsets[q] = ends.get(new TopicPartition(topic, q)).offset();
        }
        return offsets;
    }

    @Override
    public <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values) {
        return KafkaOrdoProducer.builder(bootstrap(), topic, keys, values)
                .properties(client)
                .build();
    }

    @Override
    public Map<Integer, Long> committedOffsets(String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = await(
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                "read the offsets of group '" + group + "'");
        Map<Integer, Long> committed = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (tp.topic().equals(topic) && o != null) {
                committed.put(tp.partition(), o.offset());
            }
        });
        return committed;
    }

    @Override
    public void commitOffsets(String group, Map<Integer, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach((q, offset) -> offsets.put(new TopicPartition(topic, q), new OffsetAndMetadata(offset)));
        await(
                admin.alterConsumerGroupOffsets(group, offsets).all(),
                "move the offsets of group '" + group + "' to " + describe()
                        + " (a group with members on Kafka cannot be moved)");
    }

    @Override
    public MigrationSource reader() {
        return new KafkaSource(client, topic);
    }

    @Override
    public void close() {
        admin.close();
    }

    @Override
    public String groupHome() {
        return "kafka:" + await(admin.describeCluster().clusterId(), "read the id of the cluster at " + bootstrap());
    }

    private String bootstrap() {
        return client.getProperty("bootstrap.servers");
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted: could not " + what, e);
        }
    }
}
