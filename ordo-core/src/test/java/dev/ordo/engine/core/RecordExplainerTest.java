package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.Explanation.Status;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where one record is, as the consumer core finds it: the rules no engine's timing decides. */
class RecordExplainerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<RecordDispatcher<String, String>> dispatchers = new ArrayList<>();
    private ConsumerSettings<String, String> settings;

    @AfterEach
    void closeAll() {
        release.countDown();
        dispatchers.forEach(d -> d.close(Duration.ofSeconds(5)));
    }

    /** A dispatcher whose handler holds value {@code "block"} until the test ends. */
    private RecordDispatcher<String, String> dispatcher(Ordering ordering) {
        RecordHandler<String, String> handler = r -> {
            if (r.value().equals("block")) {
                release.await();
            }
        };
        settings = new SettingsBuilder("t")
                .ordering(ordering)
                .concurrency(4)
                .handler(handler)
                .settings();
        RecordDispatcher<String, String> dispatcher =
                new RecordDispatcher<>(settings, null, "test", new ManualTicker(), 0);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    private Explanation explain(RecordDispatcher<String, String> d, long offset) {
        return new RecordExplainer(settings, d, Set.of(0), p -> 100, Map.of()).explain(0, offset);
    }

    private static RawRecord record(long offset, String key, String value) {
        return new RawRecord(
                0,
                offset,
                0,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                Headers.empty());
    }

    @Test
    void underPartitionOrderingARecordWaitsBehindItsPartitionsHeadWhateverItsKey() {
        RecordDispatcher<String, String> d = dispatcher(Ordering.PARTITION);
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, List.of(record(0, "a", "block"), record(1, "b", "v"), record(2, "c", "v")));
        await().atMost(WAIT).until(() -> explain(d, 0).status() == Status.RUNNING);

        Explanation behind = explain(d, 2);
        assertThat(behind.status()).isEqualTo(Status.WAITING_BEHIND);
        assertThat(behind.key()).isEqualTo("c");
        assertThat(behind.reasons().get(0))
                .isEqualTo("it waits behind t-0@0, its partition's head (ordering by partition)");
    }

    @Test
    void underUnorderedARecordNeverWaitsBehindAnotherOnlyForAHandlerThread() {
        RecordDispatcher<String, String> d = dispatcher(Ordering.UNORDERED);
        d.assign(0, 0, Collections.emptyNavigableSet());
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(record(i, "same", "block"));
        }
        d.dispatch(0, records);
        await().atMost(WAIT).until(() -> d.keysInFlight().size() == 4); // every handler thread holds one

        List<Status> statuses = new ArrayList<>();
        for (long offset = 0; offset < 6; offset++) {
            statuses.add(explain(d, offset).status());
        }
        assertThat(statuses).containsOnly(Status.RUNNING, Status.WAITING_FOR_SLOT);
        assertThat(statuses).filteredOn(s -> s == Status.WAITING_FOR_SLOT).hasSize(2);
    }

    @Test
    void aRecordAnEarlierOwnerHandledIsHandledAndTheCommitPointItWaitsForIsNamed() {
        RecordDispatcher<String, String> d = dispatcher(Ordering.KEY);
        d.assign(0, 10, new TreeSet<>(List.of(11L)));
        d.dispatch(0, List.of(record(10, "a", "block"), record(11, "b", "v"), record(12, "c", "v")));
        await().atMost(WAIT).until(() -> explain(d, 12).status() == Status.HANDLED);

        assertThat(explain(d, 11).reasons().get(0))
                .isEqualTo("handled (or skipped or dead-lettered): it finished beyond the commit point, which waits"
                        + " for t-0@10 (ask about that record for why)");
        assertThat(explain(d, 9).reasons().get(0)).contains("below the commit point 10");
        assertThat(explain(d, 13).status()).isEqualTo(Status.NOT_FETCHED);
        assertThat(explain(d, 100).status()).isEqualTo(Status.BEYOND_END);
    }

    @Test
    void aHandOverIsLetGoWithItsLastRecordSoNothingIsHeldOnceAllIsDone() {
        RecordDispatcher<String, String> d = dispatcher(Ordering.KEY);
        d.assign(0, 0, new TreeSet<>(List.of(3L, 4L)));
        d.dispatch(0, List.of(record(0, "a", "v"), record(1, "b", "v"), record(2, "a", "v")));
        d.dispatch(0, List.of(record(3, "a", "v"), record(4, "b", "v"))); // all handled before: nothing held
        d.dispatch(0, List.of(record(5, "c", "v")));
        await().atMost(WAIT).until(() -> d.inFlight() == 0);

        assertThat(d.assignment(0).batchesHeld()).isZero();
        for (long offset = 0; offset < 6; offset++) {
            assertThat(explain(d, offset).status()).as("offset %d", offset).isEqualTo(Status.HANDLED);
        }
    }
}
