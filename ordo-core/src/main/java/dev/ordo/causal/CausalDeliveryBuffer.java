package dev.ordo.causal;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Causal delivery for causal broadcast: a message is delivered only after every message that
 * causally precedes it, using the vector-clock rule of Birman, Schiper and Stephenson.
 *
 * <p>Each sender stamps a message with its vector clock after incrementing its own entry, so the
 * stamp {@code V} of the k-th message from {@code s} has {@code V[s] = k} and {@code V[j]} = the
 * number of messages from {@code j} that {@code s} had delivered. With {@code D} the counts
 * delivered here, the message is deliverable when {@code V[s] == D[s] + 1} and
 * {@code V[j] <= D[j]} for every other {@code j}. Messages not yet deliverable wait (bounded);
 * a second copy ({@code V[s] <= D[s]} or already waiting) is dropped.
 *
 * <p>A waiting message is filed under one dependency it misses, an entry {@code (j, n)} meaning
 * "the n-th message of j"; delivering that message looks again at those filed under it only, from
 * the entry where each stopped (entries already covered stay covered). A clock is so read about
 * once in all, however many senders there are. Node names become small ids at first sight, and a
 * sender's clocks naming the same nodes as its previous one reuse its ids, so reading a clock
 * takes no lookup by name.
 *
 * <pre>{@code
 * CausalDeliveryBuffer<Post> buffer = CausalDeliveryBuffer.<Post>builder()
 *         .maxBuffered(10_000).dependencyTimeout(Duration.ofSeconds(30))
 *         .build((sender, clock, post) -> timeline.show(post));
 * buffer.offer(post.sender(), post.clock(), post);
 * buffer.tick();   // throws CausalityTimeoutException naming what a stuck message waits for
 * }</pre>
 *
 * Thread-safe (one lock; the sink runs under it and must not call back in).
 *
 * @param <T> the message type
 */
public final class CausalDeliveryBuffer<T> {

    /** Receives messages in an order consistent with happened-before. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(String sender, VectorClock clock, T message);
    }

    /** What {@link #offer} did. */
    public enum Offer {
        DELIVERED,
        BUFFERED,
        DUPLICATE
    }

    private final int maxBuffered;
    private final long timeoutNanos;
    private final Ticker ticker;
    private final Sink<T> sink;

    /** Every node named by an accepted message, as an index into the arrays below. */
    private final Map<String, Integer> ids = new HashMap<>();

    private int nodes;
    private String[] names = new String[8];
    /** Messages delivered per node id: the vector {@code D} of the rule. */
    private long[] delivered = new long[8];
    /**
     * Per sender id, the node ids of the last clock it sent with new node names: its next clocks
     * usually name the same nodes, so their ids cost no lookups.
     */
    private NodeIds[] lastNodeIds = new NodeIds[8];

    /** Waiting messages by sender id and sender sequence {@code V[s]}. */
    private final ClockEntryMap<Pending<T>> waiting = new ClockEntryMap<>();
    /**
     * Waiting messages by the one dependency each misses now, node id and count: they are looked at
     * again when that node's count-th message is delivered. Each key holds a chain through
     * {@link Pending#next}.
     */
    private final ClockEntryMap<Pending<T>> waitingFor = new ClockEntryMap<>();
    /**
     * Waiting messages found deliverable, not yet handed to the sink: a stack through
     * {@link Pending#next}, kept across calls so that a sink that throws strands none of them.
     */
    private Pending<T> ready;

    private int buffered;
    private long deliveredCount;
    private long duplicates;

    private CausalDeliveryBuffer(Builder<T> b, Sink<T> sink) {
        this.maxBuffered = b.maxBuffered;
        this.timeoutNanos = b.timeout.toNanos();
        this.ticker = b.ticker;
        this.sink = sink;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Offers a message stamped by {@code sender} with {@code clock}.
     *
     * @throws IllegalArgumentException if the clock does not count the message itself ({@code clock[sender] < 1})
     * @throws OverloadedException if it must wait and {@code maxBuffered} messages already wait; nothing changes
     */
    public synchronized Offer offer(String sender, VectorClock clock, T message) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(message, "message must not be null");
        Integer known = ids.get(sender);
        NodeIds last = known == null ? null : lastNodeIds[known];
        NodeIds entries = last != null && clock.sameNodes(last.clock) ? last : lookUp(sender, clock);
        drain();
        int own = entries.own;
        long sequence = clock.valueAt(own);
        long done = known == null ? 0 : delivered[known];
        if (sequence <= done || (known != null && waiting.get(known, sequence) != null)) {
            duplicates++;
            return Offer.DUPLICATE;
        }
        int unmet = firstUnmet(clock, own, entries.ids, 0);
        boolean deliverable = unmet == clock.size();
        if (!deliverable && buffered >= maxBuffered) {
            throw new OverloadedException(
                    "causal buffer holds " + buffered + " messages; maxBuffered is " + maxBuffered);
        }
        if (entries != last) {
            internUnknown(clock, entries.ids);
            lastNodeIds[entries.ids[own]] = entries;
        }
        int id = entries.ids[own];
        if (deliverable) {
            deliver(id, sender, clock, message);
            drain();
            return Offer.DELIVERED;
        }
        Pending<T> pending = new Pending<>(id, own, clock, entries.ids, message, ticker.read());
        waiting.put(id, sequence, pending);
        buffered++;
        waitFor(pending, unmet);
        return Offer.BUFFERED;
    }

    /**
     * Reports a message that has waited longer than the dependency timeout, naming the
     * dependencies it still misses. Each stuck message is reported once.
     *
     * @throws CausalityTimeoutException for the longest waiting of the newly stuck messages
     */
    public void tick() {
        String report = null;
        synchronized (this) {
            long now = ticker.read();
            List<Pending<T>> stuck = new ArrayList<>();
            waiting.forEachValue(p -> {
                if (!p.reported && now - p.arrivedAt >= timeoutNanos) {
                    p.reported = true;
                    stuck.add(p);
                }
            });
            if (!stuck.isEmpty()) {
                Pending<T> p = Collections.min(stuck, Comparator.comparingLong(s -> s.arrivedAt));
                report = "message " + names[p.sender] + "#" + p.clock.valueAt(p.own) + " " + p.clock + " waited over "
                        + Duration.ofNanos(timeoutNanos) + " for " + missing(p);
            }
        }
        if (report != null) {
            throw new CausalityTimeoutException(report);
        }
    }

    /** The vector of messages delivered so far per sender. */
    public synchronized VectorClock deliveredClock() {
        Map<String, Long> counts = new HashMap<>();
        for (int id = 0; id < nodes; id++) {
            counts.put(names[id], delivered[id]);
        }
        return VectorClock.of(counts);
    }

    public synchronized int buffered() {
        return buffered;
    }

    public synchronized long deliveredCount() {
        return deliveredCount;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    /**
     * The index of the first entry of {@code clock}, from {@code from} on, that the delivered counts
     * do not cover yet, or the clock's size if they cover all: the message is then deliverable.
     * Entries covered stay covered, as counts only grow. A node id below 0 is a node not seen yet.
     */
    private int firstUnmet(VectorClock clock, int own, int[] nodeIds, int from) {
        int n = clock.size();
        for (int i = from; i < n; i++) {
            long need = i == own ? clock.valueAt(i) - 1 : clock.valueAt(i);
            int id = nodeIds[i];
            if (need > (id < 0 ? 0 : delivered[id])) {
                return i;
            }
        }
        return n;
    }

    /** The clock's entries by node id, -1 for a node not seen yet, and the sender's own entry. */
    private NodeIds lookUp(String sender, VectorClock clock) {
        int own = clock.indexOf(sender);
        if (own < 0) {
            throw new IllegalArgumentException(
                    "clock must count the message itself: clock[" + sender + "] must be >= 1, was 0 in " + clock);
        }
        int[] nodeIds = new int[clock.size()];
        for (int i = 0; i < nodeIds.length; i++) {
            Integer id = ids.get(clock.nodeAt(i));
            nodeIds[i] = id == null ? -1 : id;
        }
        return new NodeIds(clock, own, nodeIds);
    }

    private void internUnknown(VectorClock clock, int[] nodeIds) {
        for (int i = 0; i < nodeIds.length; i++) {
            if (nodeIds[i] < 0) {
                nodeIds[i] = intern(clock.nodeAt(i));
            }
        }
    }

    private int intern(String node) {
        if (nodes == names.length) {
            names = Arrays.copyOf(names, nodes * 2);
            delivered = Arrays.copyOf(delivered, nodes * 2);
            lastNodeIds = Arrays.copyOf(lastNodeIds, nodes * 2);
        }
        names[nodes] = node;
        ids.put(node, nodes);
        return nodes++;
    }

    /**
     * Files a waiting message under the dependency at entry {@code unmet}, which it misses: its
     * sender's previous message if that entry is its own.
     */
    private void waitFor(Pending<T> pending, int unmet) {
        pending.cursor = unmet;
        pending.next = waitingFor.put(pending.nodeIds[unmet], need(pending, unmet), pending);
    }

    private static long need(Pending<?> pending, int entry) {
        long value = pending.clock.valueAt(entry);
        return entry == pending.own ? value - 1 : value;
    }

    /**
     * Hands a message to the sink, then looks again only at the messages that waited for it: each
     * either becomes ready or waits for its next missing dependency.
     */
    private void deliver(int sender, String name, VectorClock clock, T message) {
        sink.accept(name, clock, message);
        long count = ++delivered[sender];
        deliveredCount++;
        Pending<T> woken = waitingFor.remove(sender, count);
        while (woken != null) {
            Pending<T> next = woken.next;
            int unmet = firstUnmet(woken.clock, woken.own, woken.nodeIds, woken.cursor + 1);
            if (unmet == woken.clock.size()) {
                woken.next = ready;
                ready = woken;
            } else {
                waitFor(woken, unmet);
            }
            woken = next;
        }
    }

    /** Delivers the ready messages and those they make ready, until none is left. */
    private void drain() {
        while (ready != null) {
            Pending<T> p = ready;
            ready = p.next;
            p.next = null;
            waiting.remove(p.sender, p.clock.valueAt(p.own));
            buffered--;
            deliver(p.sender, names[p.sender], p.clock, p.message);
        }
    }

    private String missing(Pending<T> pending) {
        StringBuilder b = new StringBuilder();
        VectorClock clock = pending.clock;
        for (int i = 0; i < clock.size(); i++) {
            long have = delivered[pending.nodeIds[i]];
            long need = need(pending, i);
            if (need > have) {
                b.append(b.length() == 0 ? "" : ", ")
                        .append(clock.nodeAt(i))
                        .append(" #")
                        .append(have + 1)
                        .append(need > have + 1 ? ".." + need : "");
            }
        }
        return b.toString();
    }

    /** The node ids of a clock's entries, index for index, and the index of its sender's own entry. */
    private record NodeIds(VectorClock clock, int own, int[] ids) {}

    private static final class Pending<T> {
        final int sender;
        /** The index of the sender's own entry in {@link #clock}. */
        final int own;

        final VectorClock clock;
        /** The node ids of the clock's entries, index for index. */
        final int[] nodeIds;

        final T message;
        final long arrivedAt;
        /** The entry whose dependency it waits for; the delivered counts cover every entry before it. */
        int cursor;
        /** The next message waiting for the same dependency, or the next ready one. */
        Pending<T> next;

        boolean reported;

        Pending(int sender, int own, VectorClock clock, int[] nodeIds, T message, long arrivedAt) {
            this.sender = sender;
            this.own = own;
            this.clock = clock;
            this.nodeIds = nodeIds;
            this.message = message;
            this.arrivedAt = arrivedAt;
        }
    }

    /** Configures a {@link CausalDeliveryBuffer}. Defaults: 10,000 messages, 30 s timeout, system ticker. */
    public static final class Builder<T> {
        private int maxBuffered = 10_000;
        private Duration timeout = Duration.ofSeconds(30);
        private Ticker ticker = Ticker.system();

        private Builder() {}

        public Builder<T> maxBuffered(int maxBuffered) {
            this.maxBuffered = Arguments.atLeast("maxBuffered", maxBuffered, 1);
            return this;
        }

        /** How long a message may wait for its causal predecessors before {@link #tick()} reports it. */
        public Builder<T> dependencyTimeout(Duration timeout) {
            this.timeout = Arguments.nonNegative("dependencyTimeout", timeout);
            return this;
        }

        public Builder<T> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        public CausalDeliveryBuffer<T> build(Sink<T> sink) {
            return new CausalDeliveryBuffer<>(this, Objects.requireNonNull(sink, "sink must not be null"));
        }
    }
}
