package dev.ordo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.causal.HybridTimestamp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TotalOrderHandlerTest {

    record Stamped(int partition, long offset, Headers headers) implements OrdoRecord<String, String> {
        @Override
        public String topic() {
            return "commands";
        }

        @Override
        public long timestamp() {
            return 0;
        }

        @Override
        public String key() {
            return null;
        }

        @Override
        public String value() {
            return partition + "@" + offset;
        }
    }

    record Expected(HybridTimestamp at, int partition, long offset) {}

    /**
     * Each partition handled on its own thread, as a consumer with PARTITION ordering does; stamps within a
     * partition may go back (several producers' clocks), which the order absorbs by raising them.
     */
    @Property(tries = 60)
    void recordsOfAllPartitionsAreHandledOneAtATimeByStampThenPartitionThenOffset(
            @ForAll @Size(min = 2, max = 4) List<@Size(max = 12) List<@IntRange(min = 0, max = 20) Integer>> stamps)
            throws Exception {
        int partitions = stamps.size();
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlap = new AtomicInteger();
        TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(partitions, r -> {
            overlap.accumulateAndGet(running.incrementAndGet(), Math::max);
            handled.add(r.value());
            running.decrementAndGet();
        });
        ExecutorService threads = Executors.newFixedThreadPool(partitions);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                done.add(threads.submit(() -> {
                    List<Integer> own = stamps.get(partition);
                    for (int o = 0; o < own.size(); o++) {
                        inOrder.handle(new Stamped(partition, o, stamp(own.get(o), false)));
                    }
                    inOrder.handle(new Stamped(partition, own.size(), stamp(1_000, true)));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(handled).containsExactlyElementsOf(expectedOrder(stamps));
        assertThat(overlap.get()).as("one record at a time").isLessThanOrEqualTo(1);
    }

    @Test
    void aRecordWithoutAStampIsRefusedNamingTheHeader() {
        TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(1, r -> {});
        assertThatThrownBy(() -> inOrder.handle(new Stamped(0, 5, Headers.empty())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record commands-0@5 has no ordo.hlc header");
    }

    @Test
    void aHeartbeatIsNotHandedToTheHandler() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(1, r -> handled.add(r.value()));
        inOrder.handle(new Stamped(0, 0, stamp(1, true)));
        inOrder.handle(new Stamped(0, 1, stamp(2, false)));
        assertThat(handled).containsExactly("0@1");
    }

    @Test
    void closingFailsARecordWaitingForItsTurn() throws Exception {
        TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(2, r -> {});
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<?> waiting = thread.submit(() -> {
                inOrder.handle(new Stamped(0, 0, stamp(1, false))); // partition 1 never speaks
                return null;
            });
            inOrder.close();
            assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("partition 0's record stamped 1.0 waited");
        } finally {
            thread.shutdownNow();
        }
    }

    private static List<String> expectedOrder(List<List<Integer>> stamps) {
        List<Expected> all = new ArrayList<>();
        for (int p = 0; p < stamps.size(); p++) {
            int raised = -1;
            for (int o = 0; o < stamps.get(p).size(); o++) {
                raised = Math.max(raised, stamps.get(p).get(o));
                all.add(new Expected(new HybridTimestamp(raised, 0), p, o));
            }
        }
        all.sort(Comparator.comparing(Expected::at)
                .thenComparingInt(Expected::partition)
                .thenComparingLong(Expected::offset));
        return all.stream().map(e -> e.partition() + "@" + e.offset()).toList();
    }

    private static Headers stamp(long physical, boolean heartbeat) {
        Headers headers = Headers.empty()
                .with(
                        OrdoHeaders.HYBRID_TIMESTAMP,
                        ByteBuffer.allocate(8)
                                .putLong(new HybridTimestamp(physical, 0).pack())
                                .array());
        return heartbeat ? headers.with(OrdoHeaders.HEARTBEAT, new byte[0]) : headers;
    }
}
