package dev.ordo.exec;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A key's jobs not yet taken by its owner; in the executor's key map exactly while the key has unfinished
 * jobs (queued here or taken). {@link #jobs} is only touched inside the map's per-key lock.
 */
final class KeyQueue<K> {
    ArrayDeque<Job<K>> jobs = new ArrayDeque<>();
    /** The key's job being tried now (running, waiting for a retry, or parked); null between jobs. */
    volatile Job<K> head;
    /** The key's jobs admitted and not ended, the head included. */
    final AtomicInteger unfinished = new AtomicInteger();
}
