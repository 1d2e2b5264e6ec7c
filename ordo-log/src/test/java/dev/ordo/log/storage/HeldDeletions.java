package dev.ordo.log.storage;

import java.util.concurrent.CountDownLatch;

/**
 * Holds the JVM's deleting thread ({@link Directories#DELETER}) until closed, so that a test sees
 * what waits for deletion: everything handed over meanwhile queues behind the held task.
 */
public final class HeldDeletions implements AutoCloseable {

    private final CountDownLatch released = new CountDownLatch(1);

    private HeldDeletions() {
        Directories.DELETER.execute(() -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public static HeldDeletions hold() {
        return new HeldDeletions();
    }

    /** Lets the deleting thread go on. */
    @Override
    public void close() {
        released.countDown();
    }
}
