package dev.ordo.exec;

import java.util.ArrayDeque;

/**
 * A key's jobs not yet taken by its owner; in the executor's key map exactly while the key has unfinished
 * jobs (queued here or taken). {@link #jobs} is only touched inside the map's per-key lock.
 */
final class KeyQueue<K> {
    /**
     * The room a key's queue starts with: most keys get a job or two at a time (a consumer's batch spread
     * over many keys), for which the default room of 16 allocated eight times what they use.
     */
    static final int QUEUE_START = 2;

    ArrayDeque<Job<K>> jobs;
    /** The key's job being tried now (running, waiting for a retry, or parked), written by its owner. */
    volatile Job<K> head;
    /** The run its owner took last (the head at its front): read without a lock, for its size only. */
    volatile ArrayDeque<Job<K>> run;

    /** A queue with room for the {@code jobs} it is made for. */
    KeyQueue(int jobs) {
        this.jobs = new ArrayDeque<>(Math.max(jobs, QUEUE_START));
    }
}
