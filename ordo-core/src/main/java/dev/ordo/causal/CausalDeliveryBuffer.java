package dev.ordo.causal;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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

    /** Messages delivered per sender: the vector {@code D} of the rule (one-element arrays: no boxing). */
    private final Map<String, long[]> delivered = new HashMap<>();
    /** Waiting messages per sender, by their sender sequence {@code V[s]}. */
    private final Map<String, TreeMap<Long, Pending<T>>> waiting = new HashMap<>();

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
        long sequence = clock.get(sender);
        if (sequence < 1) {
            throw new IllegalArgumentException("clock must count the message itself: clock[" + sender
                    + "] must be >= 1, was " + sequence + " in " + clock);
        }
        long done = deliveredFrom(sender);
        TreeMap<Long, Pending<T>> fromSender = waiting.get(sender);
        if (sequence <= done || (fromSender != null && fromSender.containsKey(sequence))) {
            duplicates++;
            return Offer.DUPLICATE;
        }
        if (deliverable(sender, clock)) {
            deliver(sender, clock, message);
            drain();
            return Offer.DELIVERED;
        }
        if (buffered >= maxBuffered) {
            throw new OverloadedException(
                    "causal buffer holds " + buffered + " messages; maxBuffered is " + maxBuffered);
        }
        waiting.computeIfAbsent(sender, s -> new TreeMap<>())
                .put(sequence, new Pending<>(clock, message, ticker.read()));
        buffered++;
        return Offer.BUFFERED;
    }

    /**
     * Reports a message that has waited longer than the dependency timeout, naming the
     * dependencies it still misses. Each stuck message is reported once.
     *
     * @throws CausalityTimeoutException for the first newly stuck message
     */
    public void tick() {
        String report = null;
        synchronized (this) {
            long now = ticker.read();
            for (Map.Entry<String, TreeMap<Long, Pending<T>>> e : waiting.entrySet()) {
                for (Pending<T> p : e.getValue().values()) {
                    if (!p.reported && now - p.arrivedAt >= timeoutNanos) {
                        p.reported = true;
                        if (report == null) {
                            report = "message " + e.getKey() + "#" + p.clock.get(e.getKey()) + " " + p.clock
                                    + " waited over " + Duration.ofNanos(timeoutNanos) + " for "
                                    + missing(e.getKey(), p.clock);
                        }
                    }
                }
            }
        }
        if (report != null) {
            throw new CausalityTimeoutException(report);
        }
    }

    /** The vector of messages delivered so far per sender. */
    public synchronized VectorClock deliveredClock() {
        Map<String, Long> counts = new HashMap<>();
        delivered.forEach((sender, count) -> counts.put(sender, count[0]));
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

    private long deliveredFrom(String sender) {
        long[] count = delivered.get(sender);
        return count == null ? 0 : count[0];
    }

    private boolean deliverable(String sender, VectorClock clock) {
        for (int i = 0, n = clock.size(); i < n; i++) {
            String node = clock.nodeAt(i);
            long have = deliveredFrom(node);
            boolean ok = node.equals(sender) ? clock.valueAt(i) == have + 1 : clock.valueAt(i) <= have;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private void deliver(String sender, VectorClock clock, T message) {
        sink.accept(sender, clock, message);
        delivered.computeIfAbsent(sender, s -> new long[1])[0]++;
        deliveredCount++;
    }

    /** Delivers waiting messages until none is deliverable; only each sender's next one can be. */
    private void drain() {
        boolean progress = true;
        while (progress && buffered > 0) {
            progress = false;
            for (Map.Entry<String, TreeMap<Long, Pending<T>>> e : waiting.entrySet()) {
                String sender = e.getKey();
                Pending<T> next = e.getValue().get(deliveredFrom(sender) + 1);
                if (next != null && deliverable(sender, next.clock)) {
                    e.getValue().remove(next.clock.get(sender));
                    buffered--;
                    deliver(sender, next.clock, next.message);
                    progress = true;
                }
            }
        }
        waiting.values().removeIf(TreeMap::isEmpty);
    }

    private String missing(String sender, VectorClock clock) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : clock.counters().entrySet()) {
            long have = deliveredFrom(e.getKey());
            long need = e.getKey().equals(sender) ? e.getValue() - 1 : e.getValue();
            if (need > have) {
                b.append(b.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append(" #")
                        .append(have + 1)
                        .append(need > have + 1 ? ".." + need : "");
            }
        }
        return b.toString();
    }

    private static final class Pending<T> {
        final VectorClock clock;
        final T message;
        final long arrivedAt;
        boolean reported;

        Pending(VectorClock clock, T message, long arrivedAt) {
            this.clock = clock;
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
