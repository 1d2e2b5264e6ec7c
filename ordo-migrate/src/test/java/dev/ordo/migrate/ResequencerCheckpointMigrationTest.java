package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.JsonSnapshotState;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.sequence.Resequencer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer puts each teller's records back in sequence with a {@code Resequencer} whose checkpoint it keeps
 * in its committed state, and moves to Kafka with that state: there a resequencer restored from the
 * checkpoint goes on. Records sent after the switch are released in sequence (a resequencer started afresh
 * would wait for sequence 0 for ever), and records handled before the switch, sent again after it, are
 * dropped as duplicates.
 */
class ResequencerCheckpointMigrationTest {

    private static final List<String> TELLERS = List.of("teller-1", "teller-2", "teller-3");
    private static final String TOPIC = "tills";

    /** The application state: the resequencer's checkpoint and what it released, per teller. */
    public static final class Tills {
        public ConcurrentHashMap<String, Long> checkpoint = new ConcurrentHashMap<>();
        public ConcurrentHashMap<String, List<Long>> released = new ConcurrentHashMap<>();

        int released(String teller) {
            List<Long> sequences = released.get(teller);
            return sequences == null ? 0 : sequences.size();
        }
    }

    @TempDir
    Path dir;

    private JsonSnapshotState<Tills> state;

    @Test
    void theResequencersCheckpointTravelsInTheStateAndGoesOnOnKafka() throws Exception {
        state = new JsonSnapshotState<>(dir.resolve("tills.json"), Tills.class, Tills::new);
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            log.createTopic(TOPIC, TopicSpec.partitions(2));
            try (TopicMigration migration = TopicMigration.fromEmbedded(log, TOPIC)
                    .toKafka(KafkaBroker.bootstrapServers())
                    .start()) {
                RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
                send(producer, 0, 100);
                RecordConsumer onEmbedded = OrdoConsumer.builder(log, TOPIC, Serdes.string(), Serdes.string())
                        .group("tills")
                        .concurrency(1)
                        .committedState(state)
                        .handler(new Resequencing()::handle)
                        .start();
                awaitReleased(100);
                assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();
                migration.switchOver();
                send(producer, 90, 110); // 90-99 again, then 100-109 new: to Kafka
                RecordConsumer onKafka = migration.handOver(
                        "tills",
                        List.of(onEmbedded),
                        state,
                        () -> KafkaOrdoConsumer.builder(
                                        KafkaBroker.bootstrapServers(), TOPIC, Serdes.string(), Serdes.string())
                                .group("tills")
                                .concurrency(1)
                                .committedState(state)
                                .handler(new Resequencing()::handle),
                        Duration.ofSeconds(30));
                awaitReleased(110);
                onKafka.close();
                producer.close();
            }
        }
        state.restore();
        for (String teller : TELLERS) {
            assertThat(state.value().released.get(teller))
                    .as("%s: each sequence released once, in order", teller)
                    .containsExactlyElementsOf(LongStream.range(0, 110).boxed().toList());
            assertThat(state.value().checkpoint).containsEntry(teller, 110L);
        }
    }

    /** Each teller's sequences {@code from} to {@code to} (exclusive), each pair sent the wrong way round. */
    private static void send(RecordProducer<String, String> producer, long from, long to) {
        for (long pair = from; pair < to; pair += 2) {
            for (long sequence : new long[] {pair + 1, pair}) {
                for (String teller : TELLERS) {
                    producer.send(OutgoingRecord.of(teller, Long.toString(sequence))
                            .withHeaders(OrdoHeaders.sequenced(teller, sequence)));
                }
            }
        }
        producer.flush();
    }

    private void awaitReleased(int each) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> TELLERS.stream().allMatch(t -> state.value().released(t) >= each));
    }

    /**
     * A handler that resequences, with a resequencer restored from the state's checkpoint: made at the first
     * record, once the consumer has restored the state. One handler thread.
     */
    private final class Resequencing {
        private Resequencer<String, Long> resequencer;

        void handle(OrdoRecord<String, String> record) {
            Tills tills = state.value();
            if (resequencer == null) {
                resequencer = Resequencer.<String, Long>builder()
                        .resumeFrom(tills.checkpoint)
                        .build((teller, sequence, value) -> tills.released
                                .computeIfAbsent(teller, t -> new ArrayList<>())
                                .add(sequence));
            }
            OrdoHeaders headers = OrdoHeaders.of(record.headers());
            resequencer.offer(headers.source(), headers.sequence(), Long.parseLong(record.value()));
            tills.checkpoint.putAll(resequencer.checkpoint());
        }
    }
}
