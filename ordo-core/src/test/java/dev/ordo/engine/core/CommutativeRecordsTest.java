package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.engine.Headers;
import dev.ordo.engine.RecordHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Records declared commutative skip their key's order; the key's other records and the commit point do not. */
class CommutativeRecordsTest {

    private static final Headers DEPOSIT = Headers.empty().with("op", "deposit");

    private RecordDispatcher<String, String> dispatcher;

    private RecordDispatcher<String, String> dispatcher(RecordHandler<String, String> handler) {
        dispatcher = new SettingsBuilder("ledger")
                .concurrency(4)
                .handler(handler)
                .commutative(headers -> "deposit".equals(headers.lastString("op")))
                .dispatcher(new ManualTicker(), 0);
        dispatcher.assign(0, 0, Collections.emptyNavigableSet());
        return dispatcher;
    }

    @AfterEach
    void close() {
        dispatcher.close(Duration.ofSeconds(5));
    }

    private static RawRecord record(long offset, String value, Headers headers) {
        return new RawRecord(
                0,
                offset,
                0,
                "ACC-1".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                headers);
    }

    @Test
    void aCommutativeRecordRunsWhileAnEarlierRecordOfItsKeyStillRunsButIsNotCommittedPastIt() throws Exception {
        CountDownLatch withdrawalRunning = new CountDownLatch(1);
        CountDownLatch depositsDone = new CountDownLatch(2);
        CountDownLatch finishWithdrawal = new CountDownLatch(1);
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordDispatcher<String, String> d = dispatcher(r -> {
            if (r.value().startsWith("withdraw")) {
                withdrawalRunning.countDown();
                finishWithdrawal.await(30, TimeUnit.SECONDS);
            } else {
                depositsDone.countDown();
            }
            handled.add(r.value());
        });
        d.dispatch(
                0,
                List.of(
                        record(0, "withdraw 300", Headers.empty()),
                        record(1, "deposit 100", DEPOSIT),
                        record(2, "deposit 50", DEPOSIT)));
        withdrawalRunning.await(30, TimeUnit.SECONDS);

        assertThat(depositsDone.await(30, TimeUnit.SECONDS))
                .as("the deposits ran while the withdrawal before them held their key")
                .isTrue();
        assertThat(d.commitPoint(0))
                .as("nothing committed past the unfinished withdrawal")
                .isZero();
        finishWithdrawal.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> d.commitPoint(0) == 3);
        assertThat(handled).containsExactlyInAnyOrder("withdraw 300", "deposit 100", "deposit 50");
    }

    @Test
    void theKeysOtherRecordsKeepTheirOrderAmongThemselves() {
        List<String> withdrawals = new CopyOnWriteArrayList<>();
        RecordDispatcher<String, String> d = dispatcher(r -> {
            if (r.value().startsWith("withdraw")) {
                withdrawals.add(r.value());
            }
        });
        for (int batch = 0; batch < 50; batch++) {
            long base = batch * 4L;
            d.dispatch(
                    0,
                    List.of(
                            record(base, "withdraw " + base, Headers.empty()),
                            record(base + 1, "deposit", DEPOSIT),
                            record(base + 2, "deposit", DEPOSIT),
                            record(base + 3, "withdraw " + (base + 3), Headers.empty())));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> d.commitPoint(0) == 200);
        assertThat(withdrawals)
                .hasSize(100)
                .isSortedAccordingTo(
                        (a, b) -> Long.compare(Long.parseLong(a.substring(9)), Long.parseLong(b.substring(9))));
    }
}
