package dev.ordo.causal;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Delivers messages that name the ids they depend on only after all of those were delivered
 * (a reply after its question, an update after the create it modifies).
 *
 * <ul>
 *   <li>A message whose dependencies are all delivered is delivered at once, then everything
 *       that waited only for it, transitively.</li>
 *   <li>A message that would close a cycle of waiting messages is refused with
 *       {@link DependencyCycleException} naming the cycle (it could never be delivered).</li>
 *   <li>{@link #tick()} reports with {@link MissingDependencyException} a message that has
 *       waited longer than the timeout, naming the ids that never arrived.</li>
 *   <li>Bounded: {@code maxBuffered} waiting messages; delivered ids are remembered up to
 *       {@code maxRemembered} (oldest forgotten first) to recognise duplicates and satisfied
 *       dependencies.</li>
 * </ul>
 *
 * <pre>{@code
 * DependencyGraphDelivery<Event> graph = DependencyGraphDelivery.<Event>builder()
 *         .build((id, event) -> apply(event));
 * graph.offer("answer-7", Set.of("question-3"), answer);   // waits for question-3
 * graph.offer("question-3", Set.of(), question);           // delivers question-3, then answer-7
 * }</pre>
 *
 * Thread-safe (one lock; the sink runs under it).
 *
 * @param <T> the message type
 */
public final class DependencyGraphDelivery<T> {

    /** Receives messages, each after all its dependencies. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(String id, T message);
    }

    /** What {@link #offer} did. */
    public enum Offer {
        DELIVERED,
        BUFFERED,
        DUPLICATE
    }

    private final int maxBuffered;
    private final int maxRemembered;
    private final long timeoutNanos;
    private final Ticker ticker;
    private final Sink<T> sink;

    private final LinkedHashSet<String> delivered = new LinkedHashSet<>();
    private final Map<String, Pending<T>> waiting = new LinkedHashMap<>();
    /** For each id not delivered yet, the waiting messages that need it. */
    private final Map<String, List<Pending<T>>> waitersOf = new HashMap<>();

    private DependencyGraphDelivery(Builder<T> b, Sink<T> sink) {
        this.maxBuffered = b.maxBuffered;
        this.maxRemembered = b.maxRemembered;
        this.timeoutNanos = b.timeout.toNanos();
        this.ticker = b.ticker;
        this.sink = sink;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Offers a message with the ids it depends on.
     *
     * @throws DependencyCycleException if waiting messages and this one depend on each other in a
     *         circle; the message is not accepted
     * @throws OverloadedException if it must wait and {@code maxBuffered} messages already wait
     */
    public synchronized Offer offer(String id, Collection<String> dependsOn, T message) {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(dependsOn, "dependsOn must not be null");
        Objects.requireNonNull(message, "message must not be null");
        if (delivered.contains(id) || waiting.containsKey(id)) {
            return Offer.DUPLICATE;
        }
        Set<String> missing = new LinkedHashSet<>();
        for (String dependency : dependsOn) {
            Objects.requireNonNull(dependency, "dependency id must not be null (message " + id + ")");
            if (!delivered.contains(dependency)) {
                missing.add(dependency);
            }
        }
        if (missing.isEmpty()) {
            deliverCascading(id, message);
            return Offer.DELIVERED;
        }
        List<String> cycle = cycleThrough(id, missing);
        if (cycle != null) {
            throw new DependencyCycleException(cycle);
        }
        if (waiting.size() >= maxBuffered) {
            throw new OverloadedException(
                    "dependency buffer holds " + waiting.size() + " messages; maxBuffered is " + maxBuffered);
        }
        Pending<T> pending = new Pending<>(id, message, missing, ticker.read());
        waiting.put(id, pending);
        for (String dependency : missing) {
            waitersOf.computeIfAbsent(dependency, d -> new ArrayList<>()).add(pending);
        }
        return Offer.BUFFERED;
    }

    /**
     * Reports the first message that has waited longer than the timeout and not been reported.
     *
     * @throws MissingDependencyException naming the message and the ids it still waits for
     */
    public void tick() {
        String report = null;
        synchronized (this) {
            long now = ticker.read();
            for (Pending<T> p : waiting.values()) {
                if (!p.reported && now - p.arrivedAt >= timeoutNanos) {
                    p.reported = true;
                    if (report == null) {
                        report = "message " + p.id + " waited over " + Duration.ofNanos(timeoutNanos)
                                + " for dependencies that never arrived: " + p.missing;
                    }
                }
            }
        }
        if (report != null) {
            throw new MissingDependencyException(report);
        }
    }

    public synchronized int buffered() {
        return waiting.size();
    }

    /**
     * Depth-first search from the new message's missing dependencies through waiting messages:
     * reaching the new id again means a cycle. Without this message the waiting graph is acyclic
     * (every earlier cycle was refused), so a new cycle must pass through it.
     */
    private List<String> cycleThrough(String id, Set<String> missing) {
        Map<String, String> parent = new HashMap<>();
        ArrayDeque<String> stack = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        for (String dependency : missing) {
            if (seen.add(dependency)) {
                parent.put(dependency, id);
                stack.push(dependency);
            }
        }
        while (!stack.isEmpty()) {
            String current = stack.pop();
            if (current.equals(id)) {
                List<String> cycle = new ArrayList<>();
                cycle.add(id);
                for (String at = parent.get(id); !at.equals(id); at = parent.get(at)) {
                    cycle.add(at);
                }
                cycle.add(id);
                return reverseKeepingEnds(cycle);
            }
            Pending<T> p = waiting.get(current);
            if (p == null) {
                continue;
            }
            for (String next : p.missing) {
                if (next.equals(id) && !parent.containsKey(id)) {
                    parent.put(id, current);
                    stack.push(id);
                } else if (seen.add(next)) {
                    parent.put(next, current);
                    stack.push(next);
                }
            }
        }
        return null;
    }

    /** The parent walk lists the cycle backwards; present it in dependency order from the new id. */
    private static List<String> reverseKeepingEnds(List<String> backwards) {
        List<String> forward = new ArrayList<>(backwards.size());
        for (int i = backwards.size() - 1; i >= 0; i--) {
            forward.add(backwards.get(i));
        }
        return forward;
    }

    private void deliverCascading(String id, T message) {
        ArrayDeque<Pending<T>> ready = new ArrayDeque<>();
        deliverOne(id, message, ready);
        while (!ready.isEmpty()) {
            Pending<T> p = ready.poll();
            waiting.remove(p.id);
            deliverOne(p.id, p.message, ready);
        }
    }

    private void deliverOne(String id, T message, ArrayDeque<Pending<T>> ready) {
        sink.accept(id, message);
        remember(id);
        List<Pending<T>> waiters = waitersOf.remove(id);
        if (waiters != null) {
            for (Pending<T> w : waiters) {
                w.missing.remove(id);
                if (w.missing.isEmpty()) {
                    ready.add(w);
                }
            }
        }
    }

    private void remember(String id) {
        delivered.add(id);
        if (delivered.size() > maxRemembered) {
            Iterator<String> oldest = delivered.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private static final class Pending<T> {
        final String id;
        final T message;
        final Set<String> missing;
        final long arrivedAt;
        boolean reported;

        Pending(String id, T message, Set<String> missing, long arrivedAt) {
            this.id = id;
            this.message = message;
            this.missing = missing;
            this.arrivedAt = arrivedAt;
        }
    }

    /**
     * Configures a {@link DependencyGraphDelivery}. Defaults: 10,000 waiting, 1,000,000 remembered
     * delivered ids, 30 s timeout, system ticker.
     */
    public static final class Builder<T> {
        private int maxBuffered = 10_000;
        private int maxRemembered = 1_000_000;
        private Duration timeout = Duration.ofSeconds(30);
        private Ticker ticker = Ticker.system();

        private Builder() {}

        public Builder<T> maxBuffered(int maxBuffered) {
            this.maxBuffered = Arguments.atLeast("maxBuffered", maxBuffered, 1);
            return this;
        }

        public Builder<T> maxRemembered(int maxRemembered) {
            this.maxRemembered = Arguments.atLeast("maxRemembered", maxRemembered, 1);
            return this;
        }

        public Builder<T> dependencyTimeout(Duration timeout) {
            this.timeout = Arguments.nonNegative("dependencyTimeout", timeout);
            return this;
        }

        public Builder<T> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        public DependencyGraphDelivery<T> build(Sink<T> sink) {
            return new DependencyGraphDelivery<>(this, Objects.requireNonNull(sink, "sink must not be null"));
        }
    }
}
