package dev.ordo.time;

import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The events an {@link EventTimeReorderer} holds, released in timestamp, source, sequence order: a
 * calendar queue.
 *
 * <p>Time is cut into buckets of 2^{@code shift} ms. A ring of slots holds the buckets of a window
 * that starts at the lowest bucket still holding events; events beyond the window wait in a heap
 * ({@code far}) and enter the ring as the window slides over them, so a sparse or Long-wide range of
 * timestamps never costs a slot per empty bucket. An event is appended to its bucket; a bucket is
 * sorted only when events are released from it and only if something arrived out of order, which
 * on nearly ordered input is a short run of comparisons. Releasing walks the ring from the start of
 * the window, empties whole buckets the watermark has passed and stops inside the bucket that holds
 * the watermark, at its first later event.
 *
 * <p>The geometry follows the data: when many events go to the heap (the window is too narrow),
 * buckets grow crowded, or releasing walks mostly empty slots, every held event is re-bucketed with
 * a width that puts about {@value #TARGET_PER_BUCKET} events in a bucket and a ring that spans what
 * is held. A resize costs O(held) and waits for half as many additions, so it is amortised; the
 * signs are looked at every {@value #MIN_SLOTS} additions.
 *
 * <p>Not thread-safe: the reorderer calls it under its lock.
 */
final class CalendarQueue<S extends Comparable<? super S>, T> {

    /** Receives a released event with the weight it was added with. */
    @FunctionalInterface
    interface Release<S, T> {
        void accept(TimedEvent<S, T> event, long weight);
    }

    private static final int MIN_SLOTS = 64;
    private static final int MAX_SLOTS = 1 << 13;
    private static final int TARGET_PER_BUCKET = 16;
    /** A bucket holding more than this asks for narrower buckets. */
    private static final int CROWDED = 16 * TARGET_PER_BUCKET;
    /** An emptied bucket whose arrays grew beyond this gives them back. */
    private static final int SPARE_CAPACITY = 4 * TARGET_PER_BUCKET;

    private static final int MAX_SHIFT = 62;

    private final boolean weighs;
    private final Release<S, T> release;
    private final Comparator<TimedEvent<S, T>> order = CalendarQueue::compare;
    private final PriorityQueue<Weighed<S, T>> far = new PriorityQueue<>((a, b) -> compare(a.event, b.event));

    private Bucket<S, T>[] slots;
    private int shift;
    /** The bucket number ({@code timestamp >> shift}) of the first slot of the window. */
    private long base;

    private int inRing;
    private long lastReleased = Long.MIN_VALUE;

    private long addsSinceResize;
    private long farAddsSinceResize;
    private long stepsSinceResize;
    private boolean crowded;

    /**
     * @param weighs whether events carry weights to hand back on release
     * @param release receives released events, in order
     */
    CalendarQueue(boolean weighs, Release<S, T> release) {
        this.weighs = weighs;
        this.release = release;
        this.slots = newSlots(MIN_SLOTS);
    }

    /** Timestamp, then source, then sequence: the release order. */
    static <S extends Comparable<? super S>> int compare(TimedEvent<S, ?> a, TimedEvent<S, ?> b) {
        int c = Long.compare(a.timestamp(), b.timestamp());
        if (c == 0) {
            c = a.source().compareTo(b.source());
            if (c == 0) {
                c = Long.compare(a.sequence(), b.sequence());
            }
        }
        return c;
    }

    int size() {
        return inRing + far.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** The timestamp of the last event released, {@code Long.MIN_VALUE} before the first. */
    long lastReleased() {
        return lastReleased;
    }

    void add(TimedEvent<S, T> event, long weight) {
        long number = event.timestamp() >> shift;
        if (inRing == 0) {
            base = far.isEmpty() ? number : Math.min(number, numberOf(far.peek().event));
            migrateFar();
        } else if (number < base) {
            lowerBase(number);
        }
        if (inWindow(number)) {
            insert(number, event, weight);
        } else {
            far.add(new Weighed<>(event, weight));
            farAddsSinceResize++;
        }
        if ((++addsSinceResize & (MIN_SLOTS - 1)) == 0
                && addsSinceResize >= (size() >> 1) + MIN_SLOTS
                && geometryIsOff()) {
            resize();
        }
    }

    /** The smallest held timestamp; the queue must not be empty. */
    long firstTimestamp() {
        if (inRing == 0) {
            return far.peek().event.timestamp();
        }
        while (true) {
            Bucket<S, T> bucket = slots[slot(base)];
            if (bucket != null && bucket.head < bucket.size) {
                bucket.sortIfNeeded(order);
                return bucket.events[bucket.head].timestamp();
            }
            step();
        }
    }

    /** Releases every event at or below {@code watermark}, in order; returns how many. */
    int release(long watermark) {
        int count = 0;
        long last = watermark >> shift;
        while (true) {
            if (inRing == 0) {
                if (far.isEmpty() || far.peek().event.timestamp() > watermark) {
                    return count;
                }
                base = numberOf(far.peek().event);
                migrateFar();
            }
            Bucket<S, T> bucket = slots[slot(base)];
            if (bucket == null || bucket.head == bucket.size) {
                if (base >= last) {
                    return count;
                }
                step();
                continue;
            }
            bucket.sortIfNeeded(order);
            // State is updated before each hand-off, so a sink that throws leaves the queue consistent.
            while (bucket.head < bucket.size) {
                TimedEvent<S, T> event = bucket.events[bucket.head];
                if (event.timestamp() > watermark) {
                    return count;
                }
                long weight = weighs ? bucket.weights[bucket.head] : 0;
                bucket.events[bucket.head++] = null;
                inRing--;
                count++;
                lastReleased = event.timestamp();
                release.accept(event, weight);
            }
            bucket.clear();
        }
    }

    private void step() {
        base++;
        stepsSinceResize++;
        if (!far.isEmpty()) {
            migrateFar();
        }
    }

    private long numberOf(TimedEvent<S, T> event) {
        return event.timestamp() >> shift;
    }

    private int slot(long number) {
        return (int) number & (slots.length - 1);
    }

    /** Whether bucket {@code number} (at or above {@code base}) falls in the ring's window. */
    private boolean inWindow(long number) {
        return Long.compareUnsigned(number - base, slots.length) < 0;
    }

    private void insert(long number, TimedEvent<S, T> event, long weight) {
        int i = slot(number);
        Bucket<S, T> bucket = slots[i];
        if (bucket == null) {
            bucket = new Bucket<>(weighs);
            slots[i] = bucket;
        }
        bucket.add(event, weight, order);
        inRing++;
        if (bucket.size - bucket.head > CROWDED) {
            crowded = true;
        }
    }

    /** Moves the events the window has reached from the heap into the ring. */
    private void migrateFar() {
        while (!far.isEmpty()) {
            Weighed<S, T> next = far.peek();
            long number = numberOf(next.event);
            if (!inWindow(number)) {
                return;
            }
            far.poll();
            insert(number, next.event, next.weight);
        }
    }

    /** Starts the window at {@code number}, below it: buckets that fall out of the top go to the heap. */
    private void lowerBase(long number) {
        int length = slots.length;
        if (Long.compareUnsigned(base - number, length) >= 0) {
            for (Bucket<S, T> bucket : slots) {
                evict(bucket);
            }
        } else {
            // Counted, not compared: number + length may wrap around Long.MAX_VALUE; its slot does not.
            for (long k = 0, count = base - number; k < count; k++) {
                evict(slots[slot(number + length + k)]);
            }
        }
        base = number;
    }

    private void evict(Bucket<S, T> bucket) {
        if (bucket == null) {
            return;
        }
        for (int i = bucket.head; i < bucket.size; i++) {
            far.add(new Weighed<>(bucket.events[i], weighs ? bucket.weights[i] : 0));
            farAddsSinceResize++;
        }
        inRing -= bucket.size - bucket.head;
        bucket.clear();
    }

    private boolean geometryIsOff() {
        return farAddsSinceResize * 8 > addsSinceResize
                || (crowded && shift > 0)
                || stepsSinceResize > 4 * addsSinceResize + slots.length;
    }

    /** Re-buckets every held event with a width and a ring that suit them. */
    private void resize() {
        int n = size();
        @SuppressWarnings("unchecked")
        TimedEvent<S, T>[] held = new TimedEvent[n];
        long[] weights = weighs ? new long[n] : null;
        int k = 0;
        for (int s = 0, length = slots.length; s < length; s++) {
            Bucket<S, T> bucket = slots[slot(base + s)];
            if (bucket == null || bucket.head == bucket.size) {
                continue;
            }
            bucket.sortIfNeeded(order);
            int count = bucket.size - bucket.head;
            System.arraycopy(bucket.events, bucket.head, held, k, count);
            if (weighs) {
                System.arraycopy(bucket.weights, bucket.head, weights, k, count);
            }
            k += count;
        }
        while (!far.isEmpty()) {
            Weighed<S, T> next = far.poll();
            held[k] = next.event;
            if (weighs) {
                weights[k] = next.weight;
            }
            k++;
        }
        shapeFor(held);
        inRing = 0;
        base = numberOf(held[0]);
        for (int i = 0; i < n; i++) {
            long number = numberOf(held[i]);
            if (inWindow(number)) {
                insert(number, held[i], weighs ? weights[i] : 0);
            } else {
                far.add(new Weighed<>(held[i], weighs ? weights[i] : 0));
            }
        }
        addsSinceResize = 0;
        farAddsSinceResize = 0;
        stepsSinceResize = 0;
        crowded = false;
    }

    /**
     * Picks the width from the spread of the sorted {@code held} events, leaving out the newest
     * sixteenth as possible outliers, and a ring that spans them all if it can.
     */
    private void shapeFor(TimedEvent<S, T>[] held) {
        int n = held.length;
        double first = held[0].timestamp();
        double typicalSpan = held[n - 1 - n / 16].timestamp() - first;
        double fullSpan = held[n - 1].timestamp() - first;
        int newShift = log2Ceiling(Math.max(1, typicalSpan * TARGET_PER_BUCKET / n));
        double buckets = fullSpan / Math.pow(2, newShift) + 2;
        if (buckets > MAX_SLOTS) {
            newShift = Math.max(newShift, log2Ceiling(typicalSpan / (MAX_SLOTS - 2)));
            buckets = Math.min(MAX_SLOTS, fullSpan / Math.pow(2, newShift) + 2);
        }
        shift = Math.min(MAX_SHIFT, newShift);
        int length = Integer.highestOneBit((int) Math.max(MIN_SLOTS, buckets * 1.5) - 1) << 1;
        slots = newSlots(Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, length)));
    }

    private static int log2Ceiling(double value) {
        int exponent = Math.getExponent(Math.max(1, value));
        return Math.pow(2, exponent) < value ? exponent + 1 : exponent;
    }

    @SuppressWarnings("unchecked")
    private static <S extends Comparable<? super S>, T> Bucket<S, T>[] newSlots(int length) {
        return new Bucket[length];
    }

    /** An event with its weight, where the two travel together: in the heap and while sorting. */
    private record Weighed<S, T>(TimedEvent<S, T> event, long weight) {}

    /** The events of one bucket; those before {@code head} have been released. */
    private static final class Bucket<S extends Comparable<? super S>, T> {
        private static final int INITIAL_CAPACITY = 8;
        /** Larger unsorted ranges go to {@link Arrays#sort}, whose worst case stays O(n log n). */
        private static final int INSERTION_SORT_MAX = 4 * TARGET_PER_BUCKET;

        TimedEvent<S, T>[] events;
        long[] weights;
        int head;
        int size;
        boolean sorted = true;

        Bucket(boolean weighs) {
            allocate(weighs);
        }

        @SuppressWarnings("unchecked")
        private void allocate(boolean weighs) {
            events = new TimedEvent[INITIAL_CAPACITY];
            weights = weighs ? new long[INITIAL_CAPACITY] : null;
        }

        void add(TimedEvent<S, T> event, long weight, Comparator<TimedEvent<S, T>> order) {
            if (size == events.length) {
                makeRoom();
            }
            if (sorted && size > head && order.compare(events[size - 1], event) > 0) {
                sorted = false;
            }
            events[size] = event;
            if (weights != null) {
                weights[size] = weight;
            }
            size++;
        }

        private void makeRoom() {
            int held = size - head;
            if (head >= events.length >> 1) {
                System.arraycopy(events, head, events, 0, held);
                Arrays.fill(events, held, size, null);
                if (weights != null) {
                    System.arraycopy(weights, head, weights, 0, held);
                }
            } else {
                events = Arrays.copyOf(events, events.length << 1);
                if (weights != null) {
                    weights = Arrays.copyOf(weights, weights.length << 1);
                }
                if (head == 0) {
                    return;
                }
                System.arraycopy(events, head, events, 0, held);
                Arrays.fill(events, held, size, null);
                if (weights != null) {
                    System.arraycopy(weights, head, weights, 0, held);
                }
            }
            head = 0;
            size = held;
        }

        void sortIfNeeded(Comparator<TimedEvent<S, T>> order) {
            if (sorted) {
                return;
            }
            sorted = true;
            if (size - head <= INSERTION_SORT_MAX) {
                insertionSort(order);
                return;
            }
            if (weights == null) {
                Arrays.sort(events, head, size, order);
                return;
            }
            @SuppressWarnings("unchecked")
            Weighed<S, T>[] pairs = new Weighed[size - head];
            for (int i = head; i < size; i++) {
                pairs[i - head] = new Weighed<>(events[i], weights[i]);
            }
            Arrays.sort(pairs, (a, b) -> order.compare(a.event, b.event));
            for (int i = head; i < size; i++) {
                events[i] = pairs[i - head].event;
                weights[i] = pairs[i - head].weight;
            }
        }

        /**
         * Linear in the events plus the places the late ones move back: the usual case, nearly
         * ordered input, and no allocation.
         */
        private void insertionSort(Comparator<TimedEvent<S, T>> order) {
            for (int i = head + 1; i < size; i++) {
                TimedEvent<S, T> event = events[i];
                int j = i - 1;
                if (order.compare(events[j], event) <= 0) {
                    continue;
                }
                long weight = weights != null ? weights[i] : 0;
                do {
                    events[j + 1] = events[j];
                    if (weights != null) {
                        weights[j + 1] = weights[j];
                    }
                    j--;
                } while (j >= head && order.compare(events[j], event) > 0);
                events[j + 1] = event;
                if (weights != null) {
                    weights[j + 1] = weight;
                }
            }
        }

        /** Forgets the events (released ones are already nulled out). */
        void clear() {
            if (events.length > SPARE_CAPACITY) {
                allocate(weights != null);
            } else if (head < size) {
                Arrays.fill(events, head, size, null);
            }
            head = 0;
            size = 0;
            sorted = true;
        }
    }
}
