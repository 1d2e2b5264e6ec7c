package dev.ordo.exec;

import java.util.ArrayDeque;

/**
 * A key's jobs not yet taken by its owner; in the executor's key map exactly while the key has unfinished
 * jobs (queued here or taken). {@link #jobs} is only touched inside the map's per-key lock.
 */
final class KeyQueue<K> {
    ArrayDeque<Job<K>> jobs = new ArrayDeque<>();
    /** The key's job being tried now (running, waiting for a retry, or parked), written by its owner. */
    volatile Job<K> head;
    /** The run its owner took last (the head at its front): read without a lock, for its size only. */
    volatile ArrayDeque<Job<K>> run;
}
