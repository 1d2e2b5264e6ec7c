package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.kafka.KafkaOrdoAdmin;
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
import org.apache.kafka.common.TopicPartition;

/** The Kafka topic a migration fills: made once, checked on every resume. */
final class TargetTopic {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TargetTopic() {}

    /**
     * The recorded state of migration {@code id}, or none for a new one, after making sure its state topic
     * exists and, for a new migration, that the target does not exist yet.
     */
    static Optional<MigrationState> recorded(Properties client, MigrationStore store, String id, String target)
            throws IOException {
        try (Admin admin = Admin.create(client)) {
            store.create(admin);
        }
        Optional<MigrationState> state = store.read(id);
        if (state.isEmpty()) {
            try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap(client), client)) {
                if (admin.exists(target)) {
                    throw new IllegalArgumentException("Kafka topic '" + target + "' already exists and no migration"
                            + " into it is recorded; delete it or choose another target topic");
                }
            }
        }
        return state;
    }

    /** Creates the target with the partitions of {@code state} unless it exists; refuses another count. */
    static void ensure(Properties client, String target, MigrationState state) {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap(client), client)) {
            if (!admin.exists(target)) {
                admin.createTopic(target, state.partitions(), (short) -1);
            } else if (admin.partitions(target) != state.partitions()) {
                throw new IllegalArgumentException("Kafka topic '" + target + "' has " + admin.partitions(target)
                        + " partitions, the migration into it " + state.partitions());
            }
        }
    }

    /** The end offset of each of the {@code partitions} partitions of {@code target}. */
    static long[] ends(Admin admin, String target, int partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int q = 0; q < partitions; q++) {
            latest.put(new TopicPartition(target, q), OffsetSpec.latest());
        }
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long[] offsets = new long[partitions];
            for (int q = 0; q < partitions; q++) {
                offsets[q] = ends.get(new TopicPartition(target, q)).offset();
            }
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not read the end offsets of Kafka topic '" + target + "'", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "reading the end offsets of Kafka topic '" + target + "' took longer than " + TIMEOUT.toSeconds()
                            + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while reading the ends of '" + target + "'", e);
        }
    }

    private static String bootstrap(Properties client) {
        return client.getProperty("bootstrap.servers");
    }
}
