package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Moves a consumer group's committed offsets from the source topic to the target, after the switch. A
 * group that handled every record up to the fence starts at the target's fence, exactly. A group behind
 * it starts, in each target partition, at the first copied record it had not handled (found by the
 * {@value Copier#FROM_HEADER} header): nothing it had not handled is skipped, and records it had handled
 * that the copy placed after that one come again (at least once, as after any rebalance). A group that
 * already has offsets for the target is left alone: it moved before, or consumes on Kafka already.
 */
final class GroupMoves {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties client;
    private final Admin admin;
    private final String target;

    /** Moves into {@code target} with {@code admin}, the migration's (not closed here). */
    GroupMoves(Properties client, Admin admin, String target) {
        this.client = client;
        this.admin = admin;
        this.target = target;
    }

    /**
     * Commits on Kafka where {@code group}, which committed {@code committed} in the source, goes on.
     *
     * @return the offsets committed per target partition, empty if the group had offsets there already
     */
    Map<Integer, Long> move(String group, Map<Integer, Long> committed, MigrationState switched) {
        try {
            Map<TopicPartition, OffsetAndMetadata> existing = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (existing.keySet().stream().anyMatch(tp -> tp.topic().equals(target))) {
                return Map.of();
            }
            Map<Integer, Long> positions = drained(committed, switched.sourceEnds())
                    ? fence(switched.targetEnds())
                    : firstUnhandled(committed, switched.targetEnds());
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            positions.forEach((q, offset) -> offsets.put(new TopicPartition(target, q), new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return positions;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not move the offsets of group '" + group + "' to Kafka topic '" + target
                            + "' (a group with members on Kafka cannot be moved): "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "moving the offsets of group '" + group + "' took longer than " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while moving group '" + group + "'", e);
        }
    }

    /** Whether the group handled every record below the source's final ends. */
    static boolean drained(Map<Integer, Long> committed, long[] sourceEnds) {
        for (int p = 0; p < sourceEnds.length; p++) {
            if (committed.getOrDefault(p, 0L) < sourceEnds[p]) {
                return false;
            }
        }
        return true;
    }

    private static Map<Integer, Long> fence(long[] targetEnds) {
        Map<Integer, Long> positions = new HashMap<>();
        for (int q = 0; q < targetEnds.length; q++) {
            positions.put(q, targetEnds[q]);
        }
        return positions;
    }

    /** Per target partition, the first copied record the group had not handled (the fence if none). */
    private Map<Integer, Long> firstUnhandled(Map<Integer, Long> committed, long[] targetEnds) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<Integer, Long> positions = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (int q = 0; q < targetEnds.length; q++) {
                positions.put(q, scan(consumer, q, committed, targetEnds[q]));
            }
        }
        return positions;
    }

    private long scan(KafkaConsumer<byte[], byte[]> consumer, int q, Map<Integer, Long> committed, long end) {
        TopicPartition partition = new TopicPartition(target, q);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(partition, TIMEOUT) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read partition " + q + " of Kafka topic '" + target
                        + "' up to the fence " + end + " within " + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= end) {
                    return end;
                }
                Header from = r.headers().lastHeader(Copier.FROM_HEADER);
                long[] source = from == null ? new long[] {-1, -1} : Copier.from(from.value());
                if (from == null || source[1] >= committed.getOrDefault((int) source[0], 0L)) {
                    return r.offset();
                }
            }
        }
        return end;
    }
}
