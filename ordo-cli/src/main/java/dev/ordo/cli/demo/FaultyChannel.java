package dev.ordo.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A simulated network between the producers and Ordo: it reorders within a window, duplicates and
 * drops messages, and can be asked to redeliver. Time is counted in steps (one arrival per step),
 * so a run is exactly reproducible from its seed. Single-threaded.
 */
final class FaultyChannel {

    private final SplittableRandom random;
    private final int window;
    private final double duplicateRate;
    private final double dropRate;
    private final List<Txn> mixing = new ArrayList<>();
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>();
    private long step;
    private long order;
    private long dropped;
    private long duplicated;
    private long redelivered;

    FaultyChannel(long seed, int window, double duplicateRate, double dropRate) {
        this.random = new SplittableRandom(seed);
        this.window = window;
        this.duplicateRate = duplicateRate;
        this.dropRate = dropRate;
    }

    /** Puts a message on the wire; it may be dropped, and may arrive twice. */
    void send(Txn txn) {
        if (random.nextDouble() < dropRate) {
            dropped++;
            return;
        }
        mixing.add(txn);
        if (random.nextDouble() < duplicateRate) {
            duplicated++;
            later(txn, 1 + random.nextInt(2 * window + 1));
        }
    }

    /** Sends a message again after a network delay; the copy may be dropped too. */
    void redeliver(Txn txn) {
        redelivered++;
        if (random.nextDouble() < dropRate) {
            dropped++;
            return;
        }
        later(txn, 1 + random.nextInt(window + 1));
    }

    /** True when the window holds enough messages to pick the next arrival from. */
    boolean full() {
        return mixing.size() >= window;
    }

    boolean isEmpty() {
        return mixing.isEmpty() && delayed.isEmpty();
    }

    /**
     * Passes up to {@code maxSteps} steps in which nothing can arrive (nothing is mixing and the next
     * delayed copy is due later), as if {@link #next} had been called for each; returns how many passed.
     */
    long skipIdle(long maxSteps) {
        if (!mixing.isEmpty() || maxSteps <= 0) {
            return 0;
        }
        Delayed due = delayed.peek();
        long idle = due == null ? maxSteps : Math.min(maxSteps, due.step - step - 1);
        if (idle <= 0) {
            return 0;
        }
        step += idle;
        return idle;
    }

    /** Advances one step and returns the message arriving in it, or null if none does. */
    Txn next() {
        step++;
        Delayed due = delayed.peek();
        if (due != null && due.step <= step) {
            return delayed.poll().txn;
        }
        if (mixing.isEmpty()) {
            return null;
        }
        // Swap-remove a random element: each message leaves within a bounded number of steps.
        int i = random.nextInt(mixing.size());
        Txn txn = mixing.get(i);
        mixing.set(i, mixing.get(mixing.size() - 1));
        mixing.remove(mixing.size() - 1);
        return txn;
    }

    long dropped() {
        return dropped;
    }

    long duplicated() {
        return duplicated;
    }

    long redelivered() {
        return redelivered;
    }

    private void later(Txn txn, int steps) {
        delayed.add(new Delayed(step + steps, order++, txn));
    }

    private record Delayed(long step, long order, Txn txn) implements Comparable<Delayed> {
        @Override
        public int compareTo(Delayed other) {
            int byStep = Long.compare(step, other.step);
            return byStep != 0 ? byStep : Long.compare(order, other.order);
        }
    }
}
