package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AppendSignalTest {

    /** Far longer than the test may take: a reader that parks this long missed its wake-up. */
    private static final long FOREVER = TimeUnit.MINUTES.toNanos(10);

    @Test
    void aParkedReaderIsWokenBySignal() throws Exception {
        AppendSignal signal = new AppendSignal();
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<AppendSignal.Waiter> waiter = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (AppendSignal.Waiter w = signal.register()) {
                waiter.set(w);
                registered.countDown();
                w.await(FOREVER, () -> false);
                returned.countDown();
            }
        });
        reader.start();
        registered.await();
        // Signal until the reader is parked and has gone (a signal before it parks has nothing to wake).
        while (!returned.await(1, TimeUnit.MILLISECONDS)) {
            signal.signal();
        }
        reader.join();
        assertThat(returned.getCount()).isZero();
    }

    @Test
    void noWakeUpIsLostBetweenAReadersLastCheckAndItsPark() throws Exception {
        // The writer publishes a record count, then signals; the reader waits until it sees the count
        // move. If a signal could fall between the reader's last check and its park, the reader would
        // sleep for FOREVER and the test would time out.
        AppendSignal signal = new AppendSignal();
        AtomicLong published = new AtomicLong();
        int rounds = 20_000;
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (AppendSignal.Waiter w = signal.register()) {
                ready.countDown();
                for (long seen = 0; seen < rounds; ) {
                    long known = seen;
                    w.await(FOREVER, () -> published.get() > known);
                    seen = published.get();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        reader.start();
        ready.await();
        for (int i = 0; i < rounds; i++) {
            published.incrementAndGet();
            signal.signal();
        }
        reader.join(Duration.ofSeconds(30).toMillis());
        assertThat(reader.isAlive())
                .as("the reader missed a wake-up and still sleeps")
                .isFalse();
        assertThat(failure.get()).isNull();
    }

    @Test
    void aClosedWaiterIsNoLongerWoken() {
        AppendSignal signal = new AppendSignal();
        AppendSignal.Waiter waiter = signal.register();
        waiter.close();
        signal.signal(); // nothing registered: must not fail
        assertThat(signal.waiting()).isZero();
    }
}
