package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordProducer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A producer of a migrating topic ({@link TopicMigration#producer}): it sends to the source until the
 * switch, then to the target. At the switch its sends wait (at most {@link #MAX_PAUSE}, then they fail
 * saying so) while what it sent is acknowledged, the source is sealed and its tail copied: every record it
 * sends after the switch lands in the target after every record it sent before.
 */
final class SwitchingProducer<K, V> implements RecordProducer<K, V> {

    /** The longest a send waits for a switch under way. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(60);

    /** Sends hold it for reading; a switch holds it for writing from its pause to its end. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

    private final Supplier<RecordProducer<K, V>> target;
    /** The target's producer made before the pause, so that the pause does not wait for its connection. */
    private RecordProducer<K, V> prepared;

    private volatile RecordProducer<K, V> current;
    private volatile boolean closed;

    SwitchingProducer(RecordProducer<K, V> source, Supplier<RecordProducer<K, V>> target) {
        this.current = source;
        this.target = target;
    }

    @Override
    public String topic() {
        return current.topic();
    }

    @Override
    public CompletableFuture<Acknowledgement> send(OutgoingRecord<K, V> record) {
        if (!enter()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the switch of topic '" + topic()
                    + "' took longer than " + MAX_PAUSE.toSeconds() + " s; the record was not sent"));
        }
        try {
            return current.send(record);
        } finally {
            gate.readLock().unlock();
        }
    }

    @Override
    public void flush() {
        current.flush();
    }

    /** Makes the target's producer ahead of the switch (migration thread). */
    void prepare() {
        if (!closed && prepared == null) {
            prepared = target.get();
        }
    }

    /** Stops sending (sends wait) and waits until what was sent is acknowledged (migration thread). */
    void pause() {
        gate.writeLock().lock();
        if (!closed) {
            current.flush();
        }
    }

    /** Sends go to the target from now on; the source producer is closed (after {@link #pause}). */
    void switchToTarget() {
        if (closed) {
            gate.writeLock().unlock();
            return;
        }
        RecordProducer<K, V> source = current;
        try {
            current = prepared != null ? prepared : target.get();
            prepared = null;
        } finally {
            gate.writeLock().unlock();
        }
        source.close();
    }

    /** Sends go on to the source (the switch failed, after {@link #pause}). */
    void resume() {
        gate.writeLock().unlock();
    }

    private boolean enter() {
        try {
            return gate.readLock().tryLock(MAX_PAUSE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException(
                    "interrupted while waiting for the switch of topic '" + topic() + "'", e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    @Override
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        if (!enter()) {
            throw new IllegalStateException("the switch of topic '" + topic() + "' took longer than "
                    + MAX_PAUSE.toSeconds() + " s; the producer is not closed");
        }
        try {
            closed = true;
            current.close(timeout);
        } finally {
            gate.readLock().unlock();
        }
    }
}
