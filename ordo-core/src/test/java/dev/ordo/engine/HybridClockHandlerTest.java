package dev.ordo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HybridClockHandlerTest {

    private static final long NOW = 1_700_000_000_000L;

    record TestRecord(long offset, Headers headers) implements OrdoRecord<String, String> {
        @Override
        public String topic() {
            return "requests";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long timestamp() {
            return NOW;
        }

        @Override
        public String key() {
            return "k";
        }

        @Override
        public String value() {
            return "v";
        }
    }

    @Property(tries = 200)
    void whatAMachineStampsAfterHandlingARecordIsLaterThanTheRecordWhateverTheClocksSay(
            @ForAll @LongRange(min = 0, max = 600_000) long senderAhead,
            @ForAll @LongRange(min = 1, max = 50) long requests)
            throws Exception {
        HybridLogicalClock sender = new HybridLogicalClock(() -> NOW + senderAhead, Duration.ofMinutes(10));
        HybridLogicalClock receiver = new HybridLogicalClock(() -> NOW, Duration.ofMinutes(10));
        List<HybridTimestamp[]> pairs = new CopyOnWriteArrayList<>();
        RecordHandler<String, String> replying = HybridClockHandler.merging(
                receiver,
                r -> pairs.add(new HybridTimestamp[] {
                    OrdoHeaders.hybridTimestamp(r.headers()),
                    OrdoHeaders.hybridTimestamp(OrdoHeaders.stamped(Headers.empty(), receiver))
                }));
        for (long i = 0; i < requests; i++) {
            replying.handle(new TestRecord(i, OrdoHeaders.stamped(Headers.empty(), sender)));
        }
        assertThat(pairs)
                .hasSize((int) requests)
                .allSatisfy(pair -> assertThat(pair[1])
                        .as("reply stamp after request stamp")
                        .isGreaterThan(pair[0]));
    }

    @Test
    void aStampBeyondTheDriftBoundIsReportedNotMergedAndTheRecordIsStillHandled() throws Exception {
        AtomicLong wall = new AtomicLong(NOW);
        HybridLogicalClock clock = new HybridLogicalClock(wall::get, Duration.ofSeconds(1));
        List<TimestampAnomaly> reported = new CopyOnWriteArrayList<>();
        List<Long> handled = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HybridClockHandler<String, String> handler = HybridClockHandler.<String, String>merging(
                        clock, r -> handled.add(r.offset()))
                .reportingTo(reported::add)
                .countingIn(registry);
        HybridTimestamp future = new HybridTimestamp(NOW + 5_000, 3);

        handler.handle(new TestRecord(7, Headers.empty().with(OrdoHeaders.HYBRID_TIMESTAMP, packed(future))));

        assertThat(handled).containsExactly(7L);
        assertThat(reported).containsExactly(new TimestampAnomaly("requests", 0, 7, future, NOW));
        assertThat(reported.get(0).aheadMillis()).isEqualTo(5_000);
        assertThat(handler.anomalies()).isEqualTo(1);
        assertThat(registry.get(HybridClockHandler.ANOMALIES_METER)
                        .tag("topic", "requests")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(clock.now().physical()).as("the clock was not dragged ahead").isEqualTo(NOW);
    }

    @Test
    void aStampWithinTheDriftBoundIsNoAnomaly() throws Exception {
        HybridLogicalClock clock = new HybridLogicalClock(() -> NOW, Duration.ofSeconds(1));
        HybridClockHandler<String, String> handler = HybridClockHandler.merging(clock, r -> {});
        handler.handle(new TestRecord(
                0, Headers.empty().with(OrdoHeaders.HYBRID_TIMESTAMP, packed(new HybridTimestamp(NOW + 1_000, 0)))));
        assertThat(handler.anomalies()).isZero();
        assertThat(clock.now()).isEqualTo(new HybridTimestamp(NOW + 1_000, 2));
    }

    @Test
    void aRecordWithoutAStampIsHandledAndLeavesTheClockAlone() throws Exception {
        HybridLogicalClock clock = new HybridLogicalClock(() -> NOW, Duration.ofSeconds(1));
        List<Long> handled = new CopyOnWriteArrayList<>();
        HybridClockHandler.<String, String>merging(clock, r -> handled.add(r.offset()))
                .handle(new TestRecord(3, Headers.empty()));
        assertThat(handled).containsExactly(3L);
        assertThat(clock.now()).isEqualTo(new HybridTimestamp(NOW, 0));
    }

    @Test
    void aMalformedStampFailsTheRecordNamingTheHeader() {
        HybridLogicalClock clock = new HybridLogicalClock(() -> NOW, Duration.ofSeconds(1));
        HybridClockHandler<String, String> handler = HybridClockHandler.merging(clock, r -> {});
        assertThatThrownBy(() -> handler.handle(
                        new TestRecord(0, Headers.empty().with(OrdoHeaders.HYBRID_TIMESTAMP, new byte[3]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header ordo.hlc must hold 8 bytes, was 3");
    }

    @Test
    void theLastStampOfARecordWinsSoAForwardedRecordCarriesItsSendersStamp() {
        HybridLogicalClock clock = new HybridLogicalClock(() -> NOW, Duration.ofSeconds(1));
        Headers forwarded = Headers.empty().with(OrdoHeaders.HYBRID_TIMESTAMP, packed(new HybridTimestamp(1, 0)));
        assertThat(OrdoHeaders.hybridTimestamp(OrdoHeaders.stamped(forwarded, clock)))
                .isEqualTo(new HybridTimestamp(NOW, 0));
        assertThat(OrdoHeaders.hybridTimestamp(Headers.empty())).isNull();
    }

    private static byte[] packed(HybridTimestamp stamp) {
        return ByteBuffer.allocate(8).putLong(stamp.pack()).array();
    }
}
