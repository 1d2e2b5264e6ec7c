package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The threads of an engine's flusher and deleter live as long as it does, and nothing handed over is dropped. */
class LogFlusherTest {

    @TempDir
    Path dir;

    @Test
    void closingTheFlusherEndsItsThreadsAfterTheForcesHandedOver() throws Exception {
        LogFlusher flusher = LogFlusher.start();
        AtomicReference<Thread> sealing = new AtomicReference<>();
        AtomicReference<Thread> forcing = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(2);
        flusher.forceSealedLater(() -> {
            sealing.set(Thread.currentThread());
            ran.countDown();
        });
        flusher.force(() -> {
            forcing.set(Thread.currentThread());
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        flusher.close();
        for (Thread thread : List.of(sealing.get(), forcing.get())) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(thread.isAlive()).as(thread.getName()).isFalse();
        }
    }

    @Test
    void afterCloseAForceAlongsideRunsOnTheCallerAndASealedForceIsLeftToTheLogsClose() throws Exception {
        LogFlusher flusher = LogFlusher.start();
        flusher.close();
        AtomicReference<Thread> ran = new AtomicReference<>();
        CompletableFuture<Void> done = flusher.forceAlongside(() -> ran.set(Thread.currentThread()));
        assertThat(done).succeedsWithin(Duration.ofSeconds(1));
        assertThat(ran.get()).as("never dropped: a producer waits for it").isSameAs(Thread.currentThread());
        flusher.forceSealedLater(() -> {
            throw new AssertionError("not run after close");
        });
    }

    @Test
    void closingTheDeleterWaitsForWhatWasHandedOverAndEndsItsThread() throws Exception {
        BackgroundDeleter deleter = BackgroundDeleter.start();
        Path doomed = Files.createDirectories(dir.resolve("doomed.deleted").resolve("inside"));
        AtomicReference<Thread> deleting = new AtomicReference<>();
        deleter.execute(() -> deleting.set(Thread.currentThread()));
        deleter.deleteLater(List.of(doomed.getParent()));
        deleter.close();
        assertThat(doomed.getParent()).doesNotExist();
        deleting.get().join(TimeUnit.SECONDS.toMillis(10));
        assertThat(deleting.get().isAlive()).isFalse();
    }
}
