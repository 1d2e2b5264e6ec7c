package dev.ordo.migrate;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.RecordProducer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends over {@value #KEYS} keys, each key's values counting up from 0, until told to finish, waiting
 * for every 50th acknowledgement (so it keeps sending while the test switches). It sends at most
 * {@value #PER_SECOND} records a second: a producer that outruns the copy for good leaves a backlog no
 * migration can catch up with, which is not what these tests are about.
 */
final class Sender extends Thread {

    static final int KEYS = 40;

    static final int PER_SECOND = 5_000;

    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    private final RecordProducer<String, String> producer;
    private volatile boolean finishing;

    Sender(RecordProducer<String, String> producer) {
        super("sender");
        this.producer = producer;
    }

    /** Stops sending and waits until every record sent is acknowledged or failed. */
    void finish() throws InterruptedException {
        finishing = true;
        join();
    }

    @Override
    public void run() {
        long[] next = new long[KEYS];
        List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; !finishing; i++) {
            int key = i % KEYS;
            CompletableFuture<Acknowledgement> ack = producer.send("key-" + key, Long.toString(next[key]++));
            acks.add(ack);
            sent.incrementAndGet();
            if (i % 50 == 49) {
                ack.handle((a, e) -> e).join();
                long due = start + (i + 1) * (1_000_000_000L / PER_SECOND);
                LockSupport.parkNanos(due - System.nanoTime()); // pacing the load, not timing a check
            }
        }
        for (CompletableFuture<Acknowledgement> ack : acks) {
            if (ack.handle((a, e) -> e).join() != null) {
                failures.incrementAndGet();
            }
        }
    }
}
