package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.ConsumerTuning;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.RecordHandler;
import dev.ordo.exec.Retry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The consumer core under {@link Ordering#TOTAL}, without an engine: records handed on one at a time in the
 * total order, the bounds, the refusals of what cannot work; and producer heartbeats, which no handler
 * sees under any ordering.
 */
class TotalOrderDispatchTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualTicker ticker = new ManualTicker();
    private final List<RecordDispatcher<String, String>> dispatchers = new ArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();

    private RecordDispatcher<String, String> dispatcher(
            Ordering ordering, int partitions, long maxInFlight, RecordHandler<String, String> handler) {
        SettingsBuilder settings = new SettingsBuilder("commands")
                .group("replica-1")
                .ordering(ordering)
                .maxInFlight(maxInFlight)
                .handler(handler);
        if (ordering != Ordering.TOTAL) {
            settings.concurrency(4);
        }
        RecordDispatcher<String, String> d = settings.dispatcher(ticker, partitions);
        dispatchers.add(d);
        return d;
    }

    private RecordDispatcher<String, String> total(int partitions) {
        RecordDispatcher<String, String> d =
                dispatcher(Ordering.TOTAL, partitions, 1_000, r -> handled.add(r.partition() + ":" + r.value()));
        for (int p = 0; p < partitions; p++) {
            d.assign(p, 0, Collections.emptyNavigableSet());
        }
        return d;
    }

    @AfterEach
    void closeAll() {
        dispatchers.forEach(d -> d.close(Duration.ofSeconds(5)));
    }

    @ParameterizedTest
    @EnumSource(Ordering.class)
    void heartbeatsNeverReachTheHandlerAndCountAsDone(Ordering ordering) {
        RecordDispatcher<String, String> d = dispatcher(ordering, 1, 1_000, r -> handled.add(r.value()));
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(
                0,
                List.of(
                        heartbeat(0, 0, 1),
                        record(0, 1, 2, "a"),
                        heartbeat(0, 2, 3),
                        record(0, 3, 4, "b"),
                        heartbeat(0, 4, 5)));

        await().atMost(WAIT).until(() -> d.inFlight() == 0);
        if (ordering == Ordering.UNORDERED) {
            assertThat(handled).containsExactlyInAnyOrder("a", "b");
        } else {
            assertThat(handled).containsExactly("a", "b");
        }
        assertThat(d.stats().heartbeats()).isEqualTo(3);
        assertThat(d.stats().handled()).isEqualTo(2);
        assertThat(d.commitPoint(0))
                .as("past the last heartbeat; under TOTAL at it: the last offset known to restart in the same order")
                .isEqualTo(ordering == Ordering.TOTAL ? 4 : 5);
    }

    @Test
    void aRecordIsHandedOnOnceEveryOtherPartitionHasPassedItsStamp() {
        RecordDispatcher<String, String> d = total(3);
        d.dispatch(0, List.of(record(0, 0, 10, "x=1"), record(0, 1, 40, "x=4")));
        d.dispatch(1, List.of(record(1, 0, 20, "y=2")));
        assertThat(d.inFlight()).isEqualTo(3);
        assertThat(handled).as("partition 2 has said nothing yet").isEmpty();

        d.dispatch(2, List.of(heartbeat(2, 0, 25)));
        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly("0:x=1", "1:y=2");

        d.dispatch(1, List.of(record(1, 1, 30, "y=3")));
        d.dispatch(2, List.of(record(2, 1, 15, "z=raised"), heartbeat(2, 2, 35))); // 15 below its frontier: 25
        await().atMost(WAIT).until(() -> handled.size() == 4);
        assertThat(handled).containsExactly("0:x=1", "1:y=2", "2:z=raised", "1:y=3");
        assertThat(d.inFlight())
                .as("x=4 waits for partitions 1 and 2 to pass 40")
                .isEqualTo(1);
    }

    @Test
    void aPartitionWhoseRecordsWaitTakesNoMoreThanItsShareOfMaxInFlight() {
        RecordDispatcher<String, String> d =
                dispatcher(Ordering.TOTAL, 2, 20, r -> handled.add(r.value())); // 20 / (2 x 2) = 5 each
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.assign(1, 0, Collections.emptyNavigableSet());
        List<RawRecord> records = new ArrayList<>();
        for (int o = 0; o < 5; o++) {
            records.add(record(0, o, 10 + o, "v" + o));
        }
        d.dispatch(0, records);
        assertThat(d.room(0))
                .as("its share is full: the engine fetches it no further")
                .isZero();
        assertThat(d.room(1)).isEqualTo(5);
        assertThat(d.room()).isEqualTo(15);
        d.dispatch(1, List.of(heartbeat(1, 0, 100)));
        await().atMost(WAIT).until(() -> d.inFlight() == 0);
        assertThat(d.room(0)).isEqualTo(5);
    }

    @Test
    void whatCannotWorkIsRefusedNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> dispatcher(Ordering.TOTAL, 3, 5, r -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInFlight must be >= 2 x the topic's 3 partitions (6) with Ordering.TOTAL, was 5");
        assertThatThrownBy(() -> dispatcher(Ordering.TOTAL, 0, 1_000, r -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions must be >= 1, was 0");
        RecordDispatcher<String, String> d = total(3);
        assertThatThrownBy(() -> d.checkTuning(new ConsumerTuning(2, 1_000, Retry.none())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("concurrency must be 1 with Ordering.TOTAL (records run one at a time), was 2");
        assertThatThrownBy(() -> d.checkTuning(new ConsumerTuning(1, 4, Retry.none())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 4");
        d.checkTuning(new ConsumerTuning(1, 6, Retry.none()));
    }

    @Test
    void aTopicThatGrewStopsTheConsumerNamingTheNewPartition() {
        RecordDispatcher<String, String> d = total(3);
        assertThatThrownBy(() -> d.assign(3, 0, Collections.emptyNavigableSet()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("partition 3 of commands was assigned, but Ordering.TOTAL merges the 3"
                        + " partitions the topic had when the consumer started");
        assertThat(d.isAssigned(3)).isFalse();
    }

    @Test
    void aGroupThatGivesTheConsumerSomePartitionsOnlyIsRefusedNamingThem() {
        RecordDispatcher<String, String> d = dispatcher(Ordering.TOTAL, 3, 1_000, r -> {});
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.assign(2, 0, Collections.emptyNavigableSet());
        assertThatThrownBy(d::requireWholeTopic)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("group replica-1 gave this consumer partitions [0, 2] of the 3 of commands, but"
                        + " Ordering.TOTAL merges them all in one consumer: give each consumer (each process) a group"
                        + " of its own");
        d.assign(1, 0, Collections.emptyNavigableSet());
        d.requireWholeTopic();
    }

    @Test
    void aPartitionTakenAwayStopsTheConsumerRatherThanMergeWithoutIt() {
        RecordDispatcher<String, String> d = total(2);
        d.dispatch(1, List.of(record(1, 0, 10, "waits")));
        d.release(1);
        assertThat(d.inFlight())
                .as("its waiting record let go, for the next owner")
                .isZero();
        assertThatThrownBy(() -> d.dispatch(0, List.of(record(0, 0, 5, "x"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("partition 1 of commands was taken from this consumer by group replica-1");
        assertThatThrownBy(d::requireWholeTopic).hasMessageContaining("a group of its own");
        assertThat(handled).isEmpty();
    }

    @Test
    void aStallNamesThePartitionsTheTotalOrderWaitsFor() {
        RecordDispatcher<String, String> d = total(3);
        d.dispatch(0, List.of(record(0, 7, 10, "x")));
        d.dispatch(1, List.of(heartbeat(1, 0, 50)));
        ticker.advance(Duration.ofSeconds(31));
        assertThat(d.stall())
                .hasValueSatisfying(why -> assertThat(why)
                        .contains(
                                "the total order of commands holds 1 records; the earliest, commands-0@7 stamped 10.0,"
                                        + " waits for partitions [2]"));
    }

    @Test
    void theCommitPointStaysWhereARestartGoesOnInTheSameOrder() {
        RecordDispatcher<String, String> d = total(2);
        d.dispatch(0, List.of(record(0, 0, 10, "a"), record(0, 1, 5, "raised to 10")));
        d.dispatch(1, List.of(heartbeat(1, 0, 20)));
        await().atMost(WAIT).until(() -> handled.size() == 2);
        await().atMost(WAIT).until(() -> d.pending(0) == 0);
        assertThat(d.commitPoint(0))
                .as("a restart at 1 would place 'raised to 10' at 5: from 0 it goes on in the same order")
                .isZero();
        assertThat(d.lag(p -> p == 0 ? 2 : 1).records())
                .as("yet both are handled")
                .isZero();
        d.dispatch(0, List.of(record(0, 2, 30, "above the frontier")));
        assertThat(d.commitPoint(0)).isEqualTo(2);
    }

    @Test
    void recordsRunOneAtATimeInTheTotalOrder() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        RecordDispatcher<String, String> d = dispatcher(Ordering.TOTAL, 2, 1_000, r -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            handled.add(r.value());
            running.decrementAndGet();
        });
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.assign(1, 0, Collections.emptyNavigableSet());
        List<RawRecord> zero = new ArrayList<>();
        List<RawRecord> one = new ArrayList<>();
        for (int o = 0; o < 50; o++) {
            zero.add(record(0, o, 2L * o, "0@" + o));
            one.add(record(1, o, 2L * o + 1, "1@" + o));
        }
        zero.add(heartbeat(0, 50, 1_000));
        one.add(heartbeat(1, 50, 1_000));
        d.dispatch(0, zero);
        d.dispatch(1, one);
        await().atMost(WAIT).until(() -> d.inFlight() == 0);
        List<String> expected = new ArrayList<>();
        for (int o = 0; o < 50; o++) {
            expected.add("0@" + o);
            expected.add("1@" + o);
        }
        assertThat(handled).containsExactlyElementsOf(expected);
        assertThat(most.get()).isEqualTo(1);
    }

    private static RawRecord record(int partition, long offset, long stamp, String value) {
        return new RawRecord(
                partition,
                offset,
                0,
                "k".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                stamped(stamp));
    }

    private static RawRecord heartbeat(int partition, long offset, long stamp) {
        return new RawRecord(partition, offset, 0, null, null, stamped(stamp).with(OrdoHeaders.HEARTBEAT, new byte[0]));
    }

    private static Headers stamped(long physical) {
        return Headers.empty()
                .with(
                        OrdoHeaders.HYBRID_TIMESTAMP,
                        ByteBuffer.allocate(8)
                                .putLong(new HybridTimestamp(physical, 0).pack())
                                .array());
    }
}
