package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.OverloadedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link CausalDeliveryBuffer} files each waiting message under one missing dependency; the rule
 * it implements is simplest to state as a scan: after each delivery, look at every sender's next
 * waiting message. Both must agree on every arrival sequence.
 */
class CausalDeliveryBufferProperties {

    private record Sent(String id, String sender, VectorClock clock) {}

    /**
     * Many nodes send, and learn now and then from a message sent before; an observer receives
     * the messages in a random order, some twice and some never, some as sent and some decoded. After every arrival the buffer
     * must have delivered exactly what the scan delivered, each message when it was deliverable,
     * and hold and drop as many.
     */
    @Property(tries = 300)
    void deliversWhatScanningEverySenderAfterEachDeliveryDelivers(
            @ForAll @IntRange(min = 1, max = 40) int nodes,
            @ForAll @IntRange(min = 1, max = 300) int messages,
            @ForAll @IntRange(min = 0, max = 90) int learnPercent,
            @ForAll @IntRange(min = 0, max = 10) int lostPercent,
            @ForAll @IntRange(min = 1, max = 400) int maxBuffered,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Sent> sent = causalHistory(nodes, messages, learnPercent, random);
        List<Sent> arrivals = new ArrayList<>();
        for (Sent m : sent) {
            if (random.nextInt(100) >= lostPercent) {
                arrivals.add(fromTheWireSometimes(m, random));
            }
        }
        for (int i = 0; i < messages / 4; i++) {
            arrivals.add(fromTheWireSometimes(sent.get(random.nextInt(sent.size())), random));
        }
        Collections.shuffle(arrivals, random);

        Map<String, Long> counts = new HashMap<>();
        Set<Sent> delivered = new HashSet<>();
        CausalDeliveryBuffer<Sent> buffer = CausalDeliveryBuffer.<Sent>builder()
                .maxBuffered(maxBuffered)
                .build((sender, clock, m) -> {
                    assertThat(SenderScan.deliverable(sender, clock, counts))
                            .as("%s delivered with %s delivered before", m, counts)
                            .isTrue();
                    counts.merge(sender, 1L, Long::sum);
                    assertThat(delivered.add(m)).as("%s delivered twice", m).isTrue();
                });
        Set<Sent> scanned = new HashSet<>();
        SenderScan<Sent> scan = new SenderScan<>(maxBuffered, scanned::add);

        for (Sent m : arrivals) {
            Object expected = offer(() -> scan.offer(m.sender(), m.clock(), m));
            Object actual = offer(() -> buffer.offer(m.sender(), m.clock(), m));
            assertThat(actual).as("offer of %s", m).isEqualTo(expected);
            assertThat(delivered).as("delivered after %s", m).isEqualTo(scanned);
            assertThat(buffer.buffered()).as("buffered after %s", m).isEqualTo(scan.buffered);
            assertThat(buffer.duplicates()).as("duplicates after %s", m).isEqualTo(scan.duplicates);
        }
        assertThat(buffer.deliveredCount()).isEqualTo(scanned.size());
        assertThat(buffer.deliveredClock()).isEqualTo(VectorClock.of(scan.delivered));
    }

    /** Half the time a copy decoded from bytes: its clock shares no names with the sender's clocks. */
    private static Sent fromTheWireSometimes(Sent m, Random random) {
        return random.nextBoolean()
                ? m
                : new Sent(m.id(), m.sender(), VectorClock.decode(m.clock().encode()));
    }

    private interface OfferCall {
        CausalDeliveryBuffer.Offer call();
    }

    /** The offer's outcome, or the class of what it threw. */
    private static Object offer(OfferCall call) {
        try {
            return call.call();
        } catch (OverloadedException e) {
            return e.getClass();
        }
    }

    /**
     * Each step either sends (increment the node's own entry) or, with {@code learnPercent}
     * probability, learns an earlier message's clock (merge); returns the messages in send order.
     */
    private static List<Sent> causalHistory(int nodes, int messages, int learnPercent, Random random) {
        List<Sent> sent = new ArrayList<>();
        VectorClock[] knowledge = new VectorClock[nodes];
        Arrays.fill(knowledge, VectorClock.empty());
        while (sent.size() < messages) {
            int node = random.nextInt(nodes);
            if (!sent.isEmpty() && random.nextInt(100) < learnPercent) {
                int recent = sent.size() - 1 - random.nextInt(Math.min(sent.size(), 2 * nodes));
                knowledge[node] = knowledge[node].merge(sent.get(recent).clock());
            } else {
                String name = "node-" + node;
                knowledge[node] = knowledge[node].increment(name);
                sent.add(new Sent(name + "#" + knowledge[node].get(name), name, knowledge[node]));
            }
        }
        return sent;
    }

    /** The rule as a scan of every sender's next waiting message after each delivery, bounded the same way. */
    private static final class SenderScan<T> {
        private final int maxBuffered;
        private final Consumer<T> sink;
        final Map<String, Long> delivered = new HashMap<>();
        private final Map<String, TreeMap<Long, T>> waiting = new HashMap<>();
        private final Map<T, VectorClock> clocks = new HashMap<>();
        int buffered;
        long duplicates;

        SenderScan(int maxBuffered, Consumer<T> sink) {
            this.maxBuffered = maxBuffered;
            this.sink = sink;
        }

        static boolean deliverable(String sender, VectorClock clock, Map<String, Long> delivered) {
            for (Map.Entry<String, Long> e : clock.counters().entrySet()) {
                long have = delivered.getOrDefault(e.getKey(), 0L);
                boolean ok = e.getKey().equals(sender) ? e.getValue() == have + 1 : e.getValue() <= have;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        CausalDeliveryBuffer.Offer offer(String sender, VectorClock clock, T message) {
            long sequence = clock.get(sender);
            TreeMap<Long, T> fromSender = waiting.computeIfAbsent(sender, s -> new TreeMap<>());
            if (sequence <= delivered.getOrDefault(sender, 0L) || fromSender.containsKey(sequence)) {
                duplicates++;
                return CausalDeliveryBuffer.Offer.DUPLICATE;
            }
            if (!deliverable(sender, clock, delivered)) {
                if (buffered >= maxBuffered) {
                    throw new OverloadedException("full");
                }
                fromSender.put(sequence, message);
                clocks.put(message, clock);
                buffered++;
                return CausalDeliveryBuffer.Offer.BUFFERED;
            }
            deliver(sender, message);
            boolean progress = true;
            while (progress) {
                progress = false;
                for (Map.Entry<String, TreeMap<Long, T>> e : waiting.entrySet()) {
                    T next = e.getValue().get(delivered.getOrDefault(e.getKey(), 0L) + 1);
                    if (next != null && deliverable(e.getKey(), clocks.get(next), delivered)) {
                        e.getValue().remove(clocks.get(next).get(e.getKey()));
                        buffered--;
                        deliver(e.getKey(), next);
                        progress = true;
                    }
                }
            }
            return CausalDeliveryBuffer.Offer.DELIVERED;
        }

        private void deliver(String sender, T message) {
            sink.accept(message);
            delivered.merge(sender, 1L, Long::sum);
        }
    }
}
