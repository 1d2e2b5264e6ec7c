package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that copies the backlog until the switch: it steps the {@link Copier} while there is
 * something to copy, looks again every 20 ms when there is not, and keeps why it failed (the switch then
 * copies in its own thread and tries again).
 */
final class BackgroundCopy {

    /** Under the migration's name: what operators see logged is the migration's. */
    private static final Logger LOG = LoggerFactory.getLogger(TopicMigration.class);

    private final Copier copier;
    private final String what;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile Throwable failure;

    /** @param what the migration, for the thread's name and messages ({@code "kafka/ledger>ledger"}) */
    BackgroundCopy(Copier copier, String what) {
        this.copier = copier;
        this.what = what;
        this.thread = new Thread(this::copyUntilStopped, "ordo-migrate-" + what);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Why the copy stopped, if it failed. */
    Throwable failure() {
        return failure;
    }

    /** Waits up to {@code millis}; returns true at once if the copy was stopped. */
    boolean stoppedWithin(long millis) throws InterruptedException {
        return stopping.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the copy and waits until its step under way is done. Idempotent. */
    void stop() {
        stopping.countDown();
        try {
            if (thread.isAlive()) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while stopping the copy of migration " + what, e);
        }
    }

    private void copyUntilStopped() {
        try {
            while (stopping.getCount() > 0) {
                if (copier.step() == 0 && stopping.await(20, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e;
            LOG.error("the copy of migration {} failed; switchOver() tries again", what, e);
        }
    }
}
