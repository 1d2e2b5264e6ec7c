package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** The checker's partition and event-time rules. */
class PartitionAndTimestampCheckTest {

    private static final PartitionLayout<String> EIGHT = PartitionLayout.kafkaDefault(8);
    private static final long T0 = 1_767_225_600_000L;

    private static Message msg(String key, int sequence) {
        return new Message(key, "p", sequence, key + sequence);
    }

    @Test
    void theKafkaDefaultLayoutPutsAStringKeyWhereKafkaDoes() {
        for (int i = 0; i < 1_000; i++) {
            String key = "ACC-" + i;
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            for (int count : new int[] {1, 3, 8, 100}) {
                assertThat(PartitionLayout.kafkaDefault(count).partitionOf(key))
                        .isEqualTo(Utils.toPositive(Utils.murmur2(bytes)) % count);
            }
        }
        assertThat(EIGHT.kafkaDefaultPartitions()).hasValue(8);
        assertThat(PartitionLayout.of(Partitioner.kafkaDefault(), 8, (String k) -> k.getBytes(StandardCharsets.UTF_8))
                        .kafkaDefaultPartitions())
                .isEmpty();
        assertThatThrownBy(() -> PartitionLayout.kafkaDefault(0)).hasMessage("partitionCount must be >= 1, was 0");
    }

    @Test
    void aReceiptFromAPartitionItsKeyDoesNotMapToIsAMismatch() {
        List<Message> sent = List.of(msg("a", 0), msg("b", 1), msg("c", 2));
        List<Message> received = new ArrayList<>();
        for (Message m : sent) {
            received.add(m.withPartition(EIGHT.partitionOf(m.key())));
        }
        Expectations expect = Expectations.defaults().withLayout(EIGHT);
        assertThat(OrderingChecker.check(sent, received, expect).isClean()).isTrue();

        int wrong = (EIGHT.partitionOf("b") + 1) % 8;
        received.set(1, received.get(1).withPartition(wrong));
        CheckReport report = OrderingChecker.check(sent, received, expect);
        assertThat(report.count(Anomaly.PARTITION_MISMATCH)).isEqualTo(1);
        assertThat(report.first(Anomaly.PARTITION_MISMATCH))
                .isEqualTo("b1 (key b, source p, seq 1, partition " + wrong + ") was read from partition " + wrong
                        + ", its key belongs in partition " + EIGHT.partitionOf("b")
                        + " (Kafka's default partitioner over 8 partitions)");
        assertThat(report.severity()).contains(Severity.WARNING);
        assertThat(OrderingChecker.check(sent, received).isClean())
                .as("without a layout partitions are not checked")
                .isTrue();
    }

    @Test
    void aReceiptWithoutAPartitionIsCheckedByItsSendsPartition() {
        int wrong = (EIGHT.partitionOf("a") + 1) % 8;
        List<Message> sent = List.of(msg("a", 0).withPartition(wrong));
        CheckReport report = OrderingChecker.check(
                sent, List.of(msg("a", 0)), Expectations.defaults().withLayout(EIGHT));
        assertThat(report.count(Anomaly.PARTITION_MISMATCH)).isEqualTo(1);
        assertThat(report.first(Anomaly.PARTITION_MISMATCH)).contains("was sent to partition " + wrong);
    }

    @Test
    void anEventTimeBeyondTheBoundsAroundItsReceiptIsAnAnomaly() {
        TimestampBounds bounds = TimestampBounds.of(Duration.ofMinutes(10), Duration.ofMinutes(1));
        Expectations expect = Expectations.defaults().withTimestampBounds(bounds);
        List<Message> sent = List.of(msg("a", 0), msg("a", 1), msg("a", 2), msg("a", 3), msg("a", 4));
        List<Message> received = List.of(
                msg("a", 0).withTimestamp(T0).withAt(T0 + 60_000), // a minute old: fine
                msg("a", 1).withTimestamp(T0 + 60_000).withAt(T0), // a minute ahead: the bound itself
                msg("a", 2).withTimestamp(T0 + 60_001).withAt(T0), // just beyond
                msg("a", 3).withTimestamp(T0).withAt(T0 + 600_001), // too old
                msg("a", 4).withTimestamp(T0)); // no time of receipt: nothing to check against
        CheckReport report = OrderingChecker.check(sent, received, expect);
        assertThat(report.count(Anomaly.TIMESTAMP_ANOMALY)).isEqualTo(2);
        assertThat(report.first(Anomaly.TIMESTAMP_ANOMALY))
                .isEqualTo("a2 (key a, source p, seq 2, timestamp " + (T0 + 60_001) + "): event time " + (T0 + 60_001)
                        + " is PT1M0.001S after its receipt at " + T0 + " (at most PT1M)");
        assertThat(report.severity()).contains(Severity.INFO);
    }

    @Test
    void withoutATimeOfReceiptTheEventTimeIsCheckedAgainstTheSendsTime() {
        List<Message> sent = List.of(msg("a", 0).withTimestamp(T0 + 7_200_000).withAt(T0));
        CheckReport report = OrderingChecker.check(sent, List.of(msg("a", 0)));
        assertThat(report.count(Anomaly.TIMESTAMP_ANOMALY))
                .as("Kafka's default: at most an hour ahead")
                .isEqualTo(1);
        assertThat(report.first(Anomaly.TIMESTAMP_ANOMALY)).contains("PT2H after its send at " + T0);
        assertThat(OrderingChecker.check(List.of(msg("a", 0).withTimestamp(0).withAt(T0)), List.of(msg("a", 0)))
                        .isClean())
                .as("Kafka's default: any age")
                .isTrue();
    }

    @Test
    void boundsRefuseNegativeDurationsAndTreatHugeOnesAsNone() {
        assertThatThrownBy(() -> TimestampBounds.of(Duration.ofSeconds(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBefore must be >= 0, was PT-1S");
        TimestampBounds none =
                TimestampBounds.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(none.maxBeforeMillis()).isEqualTo(Long.MAX_VALUE);
        assertThat(none.allows(Long.MAX_VALUE, 0)).isTrue();
        assertThat(none.allows(0, Long.MAX_VALUE)).isTrue();
        assertThat(TimestampBounds.kafkaDefault())
                .isEqualTo(TimestampBounds.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofHours(1)));
    }
}
