package dev.ordo.causal;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Merges several individually ordered input streams into one total order, by hybrid timestamp,
 * then input id, then position within the input, such that every replica that merges the same
 * inputs produces the identical sequence, whatever order the inputs' events reach it in.
 *
 * <p>An event is released only when every other input has advanced past it, i.e. can no longer
 * produce an event that sorts before it. An input with nothing to send advances by
 * {@link #heartbeat heartbeats} (a promise that nothing earlier will follow); an input that says
 * nothing holds the merge back, which is the price of agreement without coordination.
 *
 * <pre>{@code
 * TotalOrderMerger<Command> merger = TotalOrderMerger.<Command>builder()
 *         .inputs(List.of("node-a", "node-b", "node-c"))
 *         .build((input, timestamp, command) -> stateMachine.apply(command));
 * merger.offer("node-b", command.timestamp(), command);
 * merger.heartbeat("node-c", clock.now());
 * }</pre>
 *
 * Thread-safe (one lock; the sink runs under it).
 *
 * @param <T> the event type
 */
public final class TotalOrderMerger<T> {

    /** Receives events in the total order. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(String input, HybridTimestamp timestamp, T event);
    }

    private final Map<String, Frontier> inputs = new HashMap<>();
    private final PriorityQueue<Pending<T>> pending = new PriorityQueue<>();
    private final int maxBuffered;
    private final Sink<T> sink;
    private long released;

    private TotalOrderMerger(Builder<T> b, Sink<T> sink) {
        for (String input : b.inputs) {
            inputs.put(input, new Frontier());
        }
        this.maxBuffered = b.maxBuffered;
        this.sink = sink;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Offers the next event of {@code input}.
     *
     * @throws IllegalArgumentException if {@code input} is unknown or the timestamp goes back
     *         from the input's previous event or heartbeat; nothing changes
     * @throws OverloadedException if {@code maxBuffered} events already wait
     */
    public synchronized void offer(String input, HybridTimestamp timestamp, T event) {
        Objects.requireNonNull(event, "event must not be null");
        Frontier frontier = advance(input, timestamp);
        if (pending.size() >= maxBuffered) {
            throw new OverloadedException(
                    "total-order merger holds " + pending.size() + " events; maxBuffered is " + maxBuffered);
        }
        frontier.commit(timestamp);
        pending.add(new Pending<>(timestamp, input, frontier.sequence++, event));
        release();
    }

    /** Promises that {@code input} sends nothing earlier than {@code timestamp} from now on. */
    public synchronized void heartbeat(String input, HybridTimestamp timestamp) {
        advance(input, timestamp).commit(timestamp);
        release();
    }

    public synchronized int buffered() {
        return pending.size();
    }

    public synchronized long released() {
        return released;
    }

    private Frontier advance(String input, HybridTimestamp timestamp) {
        Objects.requireNonNull(input, "input must not be null");
        Objects.requireNonNull(timestamp, "timestamp must not be null");
        Frontier frontier = inputs.get(input);
        if (frontier == null) {
            throw new IllegalArgumentException("input must be one of " + inputs.keySet() + ", was " + input);
        }
        if (frontier.at != null && timestamp.compareTo(frontier.at) < 0) {
            throw new IllegalArgumentException(
                    "timestamp of input " + input + " must not go back from " + frontier.at + ", was " + timestamp);
        }
        return frontier;
    }

    private void release() {
        while (!pending.isEmpty() && releasable(pending.peek())) {
            Pending<T> next = pending.poll();
            sink.accept(next.input, next.timestamp, next.event);
            released++;
        }
    }

    /** No other input can still produce an event that sorts before {@code p}. */
    private boolean releasable(Pending<T> p) {
        for (Map.Entry<String, Frontier> e : inputs.entrySet()) {
            if (e.getKey().equals(p.input)) {
                continue;
            }
            HybridTimestamp at = e.getValue().at;
            if (at == null) {
                return false;
            }
            int c = at.compareTo(p.timestamp);
            if (c < 0 || (c == 0 && e.getKey().compareTo(p.input) < 0)) {
                return false;
            }
        }
        return true;
    }

    /** How far an input has promised to be. */
    private static final class Frontier {
        HybridTimestamp at;
        long sequence;

        void commit(HybridTimestamp timestamp) {
            at = timestamp;
        }
    }

    private record Pending<T>(HybridTimestamp timestamp, String input, long sequence, T event)
            implements Comparable<Pending<T>> {
        @Override
        public int compareTo(Pending<T> o) {
            int c = timestamp.compareTo(o.timestamp);
            if (c == 0) {
                c = input.compareTo(o.input);
            }
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** Configures a {@link TotalOrderMerger}. */
    public static final class Builder<T> {
        private List<String> inputs = List.of();
        private int maxBuffered = 100_000;

        private Builder() {}

        /** The inputs to merge; every one of them must advance for events to be released. */
        public Builder<T> inputs(List<String> inputs) {
            Objects.requireNonNull(inputs, "inputs must not be null");
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("inputs must not be empty");
            }
            if (Set.copyOf(inputs).size() != inputs.size()) {
                throw new IllegalArgumentException("inputs must be distinct, was " + inputs);
            }
            this.inputs = List.copyOf(inputs);
            return this;
        }

        public Builder<T> maxBuffered(int maxBuffered) {
            this.maxBuffered = Arguments.atLeast("maxBuffered", maxBuffered, 1);
            return this;
        }

        public TotalOrderMerger<T> build(Sink<T> sink) {
            if (inputs.isEmpty()) {
                throw new IllegalStateException("inputs must be set before build()");
            }
            return new TotalOrderMerger<>(this, Objects.requireNonNull(sink, "sink must not be null"));
        }
    }
}
