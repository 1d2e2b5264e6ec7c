package dev.ordo.log.storage;

import java.util.concurrent.CountDownLatch;

/**
 * Holds a {@link BackgroundDeleter}'s thread until closed, so that a test sees what waits for
 * deletion: everything handed over meanwhile queues behind the held task.
 */
public final class HeldDeletions implements AutoCloseable {

    private final CountDownLatch released = new CountDownLatch(1);

    private HeldDeletions(BackgroundDeleter deleter) {
        deleter.execute(() -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public static HeldDeletions hold(BackgroundDeleter deleter) {
        return new HeldDeletions(deleter);
    }

    /** Lets the deleting thread go on. */
    @Override
    public void close() {
        released.countDown();
    }
}
